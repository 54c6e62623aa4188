/**
 * The environment a deployed route-group Lambda reads at module init: TABLE_NAME (set by
 * CustomerApi), the runtime's region and credentials (dummies: init makes no calls),
 * NODE_OPTIONS and the Powertools settings from ServiceFunction, AWS_EXECUTION_ENV (so the
 * X-Ray tracer is loaded, as in Lambda), the outage-alert settings the alerts and outages
 * groups parse at cold start (lambdas/adapters/alerts-config.ts, MESSAGING=sns as in AWS)
 * the billing group's queue (lambdas/adapters/billing-wiring.ts), its payment-file bucket and
 * import queue (lambdas/adapters/payment-import-wiring.ts, lib/constructs/payment-imports.ts)
 * the dunning group's state machine (lambdas/adapters/dunning-wiring.ts) and the documents
 * group's delivery settings (lambdas/adapters/delivery-wiring.ts). Placeholder
 * values of the right shape.
 */
export const lambdaEnv: Readonly<Record<string, string>> = {
  PATH: process.env.PATH ?? '',
  TABLE_NAME: 'utility-main',
  AWS_REGION: 'eu-north-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  NODE_OPTIONS: '--enable-source-maps',
  // The Lambda runtime's marker (lambdas/adapters/observability.ts loads the X-Ray tracer only
  // where it is set) and what ServiceFunction sets for metrics and traces.
  AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
  POWERTOOLS_SERVICE_NAME: 'nordic-utility-service',
  POWERTOOLS_METRICS_NAMESPACE: 'NordicUtility/bench',
  POWERTOOLS_TRACER_CAPTURE_RESPONSE: 'false',
  POWERTOOLS_TRACER_CAPTURE_ERROR: 'false',
  ALERT_DEPARTMENT: 'Kommunens VA-avdelning',
  ALERT_INFO_URL: 'https://example.se/driftinfo',
  ALERT_CONTACT: '0570-810 00',
  ALERT_CAP_SENDER: 'driftinfo@example.se',
  UTILITY_COUNTRY: 'SE',
  UTILITY_ZONE: 'Europe/Stockholm',
  UTILITY_LANGUAGE: 'sv',
  MESSAGING: 'sns',
  SMS_MAX_SEGMENTS: '3',
  SMS_RATE_PER_SECOND: '10',
  SMS_PRICE_PER_SEGMENT: '45',
  SMS_PRICE_CURRENCY: 'SEK',
  REPORTS_PER_CLIENT_PER_HOUR: '5',
  SMS_SENDER_ID: 'Kommunen',
  SEND_QUEUE_URL: 'https://sqs.eu-north-1.amazonaws.com/000000000000/sms-send',
  VOICE_ORIGINATION_IDENTITY: '+46701740605',
  BILLING_QUEUE_URL: 'https://sqs.eu-north-1.amazonaws.com/000000000000/billing-segments',
  PAYMENT_FILE_BUCKET: 'utility-payment-files-000000000000',
  PAYMENT_IMPORT_QUEUE_URL: 'https://sqs.eu-north-1.amazonaws.com/000000000000/payment-import-chunks',
  DUNNING_STATE_MACHINE_ARN: 'arn:aws:states:eu-north-1:000000000000:stateMachine:dunning',
  // The documents group's delivery settings (lambdas/adapters/delivery-wiring.ts, lib/constructs/document-delivery.ts).
  DELIVERY_MODE: 'aws',
  DOCUMENT_BUCKET: 'utility-documents-000000000000',
  DELIVERY_QUEUE_URL: 'https://sqs.eu-north-1.amazonaws.com/000000000000/deliveries',
  SES_CONFIGURATION_SET: 'utility-documents',
  EMAIL_FROM_ADDRESS: 'faktura@example.se',
  EMAIL_FROM_NAME: 'Kommunen',
  PRINT_API_URL: 'https://print.example.se/v1',
  PRINT_API_SECRET_ID: 'utility/print-service',
};
