package dynamo

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"

	"github.com/vidiverse/vidiverse/shared/table"
)

// CreateTable creates a table for schema, for local, development and test
// use (in AWS the stack template creates it): on-demand billing, string pk
// and sk, each index with string keys projecting all attributes, and TTL
// on the schema's TTL attribute. A table that already exists is fine.
//
// It waits until DescribeTable reports the table and its indexes active,
// taking no status at all as ready (minidyn reports none, so the SDK's
// TableExistsWaiter would never return). Enabling TTL is attempted and
// skipped on servers that do not support it (the engine filters expired
// items itself).
func CreateTable(ctx context.Context, client *dynamodb.Client, tableName string, schema table.Schema) error {
	defs := []types.AttributeDefinition{
		{AttributeName: aws.String(table.AttrPK), AttributeType: types.ScalarAttributeTypeS},
		{AttributeName: aws.String(table.AttrSK), AttributeType: types.ScalarAttributeTypeS},
	}
	defined := map[string]bool{table.AttrPK: true, table.AttrSK: true}
	define := func(name string) {
		if name != "" && !defined[name] {
			defined[name] = true
			defs = append(defs, types.AttributeDefinition{AttributeName: aws.String(name), AttributeType: types.ScalarAttributeTypeS})
		}
	}
	var gsis []types.GlobalSecondaryIndex
	for _, ix := range schema.Indexes {
		define(ix.PK)
		define(ix.SK)
		ks := []types.KeySchemaElement{{AttributeName: aws.String(ix.PK), KeyType: types.KeyTypeHash}}
		if ix.SK != "" {
			ks = append(ks, types.KeySchemaElement{AttributeName: aws.String(ix.SK), KeyType: types.KeyTypeRange})
		}
		gsis = append(gsis, types.GlobalSecondaryIndex{
			IndexName:  aws.String(ix.Name),
			KeySchema:  ks,
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll},
		})
	}
	_, err := client.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String(tableName),
		BillingMode:          types.BillingModePayPerRequest,
		AttributeDefinitions: defs,
		KeySchema: []types.KeySchemaElement{
			{AttributeName: aws.String(table.AttrPK), KeyType: types.KeyTypeHash},
			{AttributeName: aws.String(table.AttrSK), KeyType: types.KeyTypeRange},
		},
		GlobalSecondaryIndexes: gsis,
	})
	if _, exists := errors.AsType[*types.ResourceInUseException](err); err != nil && !exists {
		return fmt.Errorf("create table %s: %w", tableName, err)
	}
	if err := waitActive(ctx, client, tableName); err != nil {
		return fmt.Errorf("create table %s: %w", tableName, err)
	}
	if schema.TTLAttribute == "" {
		return nil
	}
	if err := enableTTL(ctx, client, tableName, schema.TTLAttribute); err != nil {
		return fmt.Errorf("create table %s: %w", tableName, err)
	}
	return nil
}

// waitActive polls DescribeTable until the table and its indexes are
// active, for up to a minute.
func waitActive(ctx context.Context, client *dynamodb.Client, tableName string) error {
	for attempt := 1; ; attempt++ {
		out, err := client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(tableName)})
		if err != nil {
			return fmt.Errorf("describe: %w", err)
		}
		if isActive(out.Table) {
			return nil
		}
		if attempt == 240 {
			return fmt.Errorf("table %s is still %s", tableName, out.Table.TableStatus)
		}
		if err := sleep(ctx, 250*time.Millisecond); err != nil {
			return err
		}
	}
}

func isActive(d *types.TableDescription) bool {
	if d == nil {
		return true
	}
	if d.TableStatus != "" && d.TableStatus != types.TableStatusActive {
		return false
	}
	for _, ix := range d.GlobalSecondaryIndexes {
		if ix.IndexStatus != "" && ix.IndexStatus != types.IndexStatusActive {
			return false
		}
	}
	return true
}

// enableTTL turns TTL on, retrying while the table is still being created.
func enableTTL(ctx context.Context, client *dynamodb.Client, tableName, attr string) error {
	for attempt := 1; ; attempt++ {
		_, err := client.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
			TableName: aws.String(tableName),
			TimeToLiveSpecification: &types.TimeToLiveSpecification{
				AttributeName: aws.String(attr),
				Enabled:       aws.Bool(true),
			},
		})
		if err == nil || ttlUnsupported(err) {
			return nil
		}
		if _, busy := errors.AsType[*types.ResourceInUseException](err); !busy || attempt == 30 {
			return fmt.Errorf("enable TTL on %q: %w", attr, err)
		}
		if err := sleep(ctx, time.Second); err != nil {
			return fmt.Errorf("enable TTL on %q: %w", attr, err)
		}
	}
}

// ttlUnsupported reports whether UpdateTimeToLive failed because the
// server does not implement it or TTL is already on. DynamoDB-compatible
// servers answer UnknownOperationException; minidyn answers HTTP 400 with
// a plain-text body, which the SDK reports as a deserialization failure.
func ttlUnsupported(err error) bool {
	if api, ok := errors.AsType[smithy.APIError](err); ok {
		switch api.ErrorCode() {
		case "UnknownOperationException", "UnknownOperation":
			return true
		case "ValidationException":
			return strings.Contains(api.ErrorMessage(), "already enabled")
		}
		return false
	}
	resp, isResp := errors.AsType[*awshttp.ResponseError](err)
	_, undecodable := errors.AsType[*smithy.DeserializationError](err)
	return isResp && resp.HTTPStatusCode() == 400 && undecodable
}
