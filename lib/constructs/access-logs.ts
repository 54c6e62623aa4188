/**
 * The server-access-log bucket of one data bucket (cdk-nag AwsSolutions-S1): encrypted,
 * private, SSL only, logs kept `accessLogExpiryDays`, retained when the stack goes. Log delivery
 * is by bucket policy (the current way), not by the deprecated LogDeliveryWrite ACL: the flag is
 * set on `scope`, so only its buckets are affected and cdk.json stays as it is.
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';

export const accessLogExpiryDays = 90;

/** `of`: what the logs are of, for the cdk-nag acknowledgement (e.g. "the documents bucket"). */
export function accessLogBucket(scope: Construct, of: string): Bucket {
  scope.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);
  const bucket = new Bucket(scope, 'AccessLogs', {
    encryption: BucketEncryption.S3_MANAGED,
    objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
    blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(accessLogExpiryDays) }],
    removalPolicy: RemovalPolicy.RETAIN,
  });
  Validations.of(bucket).acknowledge({
    id: 'AwsSolutions-S1',
    reason: `This is the server-access-log bucket of ${of}; logging its own access would log the logging.`,
  });
  return bucket;
}
