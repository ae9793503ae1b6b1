// Package awsstack opens the deployed shape's storage from configuration:
// the store over DynamoDB, media in S3 and the transcode queue in SQS,
// with clients built once per process (outside handlers, so warm Lambda
// invocations reuse them). Every function's main and the container use it.
package awsstack
