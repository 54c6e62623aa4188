/**
 * The service's name: the `service` key of every log line and the `service` dimension of every
 * business metric. Its own module: CDK (lib/constructs/service-function.ts) reads it at synth
 * without loading Powertools.
 */
export const serviceName = 'nordic-utility-service';
