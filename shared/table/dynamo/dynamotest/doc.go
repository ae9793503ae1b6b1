// Package dynamotest runs an in-process minidyn server for tests of code
// that talks to DynamoDB (the table engine, the store), with the shim that
// works around minidyn's corruption of empty values. Only tests import it.
package dynamotest
