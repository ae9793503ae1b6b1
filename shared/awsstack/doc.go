// Package awsstack opens the deployed shape's storage from configuration:
// the store over DynamoDB, media in S3 and the transcode queue in SQS
// (Open, OpenTable), and what federation adds (OpenFederation): the
// federation queues in SQS and the actors' keyring, its key-encryption key
// read from Secrets Manager (ReadKEK). Clients are built once per process
// (outside handlers, so warm Lambda invocations reuse them). Every
// function's main and the container use it.
package awsstack
