package topology_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/awslabs/goformation/v7"
	"github.com/vidiverse/vidiverse/shared/store"
	"github.com/vidiverse/vidiverse/shared/table"
	"github.com/vidiverse/vidiverse/shared/topology"
)

const templatePath = "../../template.yaml"

// TestTemplateMatchesTopology fails when template.yaml, the folders under
// functions/ and topology disagree, or when the template breaks a rule every
// function and table follows (see templatecheck_test.go).
func TestTemplateMatchesTopology(t *testing.T) {
	src, err := os.ReadFile(templatePath)
	if err != nil {
		t.Fatal(err)
	}
	tpl, err := goformation.Open(templatePath)
	if err != nil {
		t.Fatalf("goformation: %v", err)
	}
	entries, err := os.ReadDir("../../functions")
	if err != nil {
		t.Fatal(err)
	}
	dirs := map[string]bool{}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		_, err := os.Stat(filepath.Join("../../functions", e.Name(), "main.go"))
		dirs[e.Name()] = err == nil
	}
	want := stack{
		Functions: topology.Functions,
		Queues:    topology.Queues,
		LocalOnly: topology.LocalOnlyRoutes,
		Schema:    store.Schema, // the source of the key, index and TTL names
		Dirs:      dirs,
	}
	for _, p := range checkTemplate(tpl, src, want) {
		t.Error(p)
	}
}

// testSchema is a fixed schema for the checker's own tests, so they do not
// move when the store's does.
var testSchema = table.Schema{
	Indexes: []table.Index{
		{Name: "gsi1", PK: "gsi1pk", SK: "gsi1sk"},
		{Name: "gsi2", PK: "gsi2pk", SK: "gsi2sk"},
	},
	TTLAttribute: "ttl",
}

func testStack() stack {
	return stack{
		Functions: []topology.Function{
			{Name: "api", LogicalID: "ApiFunction", Routes: []string{"ANY /api/v1/{proxy+}", "GET /.well-known/nodeinfo"}},
			{Name: "inbox", LogicalID: "InboxFunction", Consumes: "inbox"},
		},
		Queues:    []topology.Queue{{Name: "inbox", LogicalID: "InboxQueue"}},
		LocalOnly: []string{"ANY /local-blob/{proxy+}"},
		Schema:    testSchema,
		Dirs:      map[string]bool{"api": true, "inbox": true},
	}
}

// goodTemplate is a small template that satisfies testStack.
const goodTemplate = `
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: provided.al2023
    Architectures: [arm64]
    Handler: bootstrap
    Environment:
      Variables:
        TABLE_NAME: !Ref Table
        MEDIA_BUCKET: !Ref MediaBucket
Resources:
  HttpApi:
    Type: AWS::Serverless::HttpApi
  ApiFunction:
    Type: AWS::Serverless::Function
    Metadata:
      BuildMethod: makefile
    Properties:
      CodeUri: .
      Events:
        Api:
          Type: HttpApi
          Properties:
            ApiId: !Ref HttpApi
            Method: ANY
            Path: /api/v1/{proxy+}
        NodeInfo:
          Type: HttpApi
          Properties:
            ApiId: !Ref HttpApi
            Method: get
            Path: /.well-known/nodeinfo
      Policies:
        - Statement:
            - Sid: TableItems
              Effect: Allow
              Action: [dynamodb:GetItem, dynamodb:Query]
              Resource:
                - !GetAtt Table.Arn
                - !Sub "${Table.Arn}/index/*"
            - Effect: Allow
              Action: s3:GetObject
              Resource: !Sub "${MediaBucket.Arn}/*"
  InboxFunction:
    Type: AWS::Serverless::Function
    Metadata:
      BuildMethod: makefile
    Properties:
      CodeUri: .
      Events:
        Inbox:
          Type: SQS
          Properties:
            Queue: !GetAtt InboxQueue.Arn
            BatchSize: 10
            FunctionResponseTypes: [ReportBatchItemFailures]
  InboxQueue:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: 180
      RedrivePolicy:
        deadLetterTargetArn: !GetAtt InboxDLQ.Arn
        maxReceiveCount: 5
  InboxDLQ:
    Type: AWS::SQS::Queue
  MediaBucket:
    Type: AWS::S3::Bucket
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions:
        - {AttributeName: pk, AttributeType: S}
        - {AttributeName: sk, AttributeType: S}
        - {AttributeName: gsi1pk, AttributeType: S}
        - {AttributeName: gsi1sk, AttributeType: S}
        - {AttributeName: gsi2pk, AttributeType: S}
        - {AttributeName: gsi2sk, AttributeType: S}
      KeySchema:
        - {AttributeName: pk, KeyType: HASH}
        - {AttributeName: sk, KeyType: RANGE}
      GlobalSecondaryIndexes:
        - IndexName: gsi1
          KeySchema:
            - {AttributeName: gsi1pk, KeyType: HASH}
            - {AttributeName: gsi1sk, KeyType: RANGE}
          Projection: {ProjectionType: ALL}
        - IndexName: gsi2
          KeySchema:
            - {AttributeName: gsi2pk, KeyType: HASH}
            - {AttributeName: gsi2sk, KeyType: RANGE}
          Projection: {ProjectionType: ALL}
      TimeToLiveSpecification:
        AttributeName: ttl
        Enabled: true
`

func checkString(t *testing.T, src string, want stack) []string {
	t.Helper()
	tpl, err := goformation.ParseYAML([]byte(src))
	if err != nil {
		t.Fatalf("goformation: %v", err)
	}
	return checkTemplate(tpl, []byte(src), want)
}

func TestCheckerAcceptsGoodTemplate(t *testing.T) {
	if problems := checkString(t, goodTemplate, testStack()); len(problems) != 0 {
		t.Errorf("problems in the good template:\n%s", strings.Join(problems, "\n"))
	}
}

// TestCheckerReportsDrift breaks the good template (or the expected stack)
// one way at a time and requires the checker to name each break.
func TestCheckerReportsDrift(t *testing.T) {
	replace := func(old, new string) func(string) string {
		return func(s string) string {
			if !strings.Contains(s, old) {
				panic("test template lacks " + old)
			}
			return strings.Replace(s, old, new, 1)
		}
	}
	appendRes := func(extra string) func(string) string {
		return func(s string) string { return s + extra }
	}
	tests := []struct {
		name  string
		tmpl  func(string) string
		stack func(*stack)
		want  []string
	}{
		{name: "missing route", tmpl: replace("Path: /.well-known/nodeinfo", "Path: /.well-known/host-meta"),
			want: []string{
				`ApiFunction: topology route "GET /.well-known/nodeinfo" has no HttpApi event in template.yaml`,
				`ApiFunction: route "GET /.well-known/host-meta" is in template.yaml but not in topology`,
			}},
		{name: "route only in topology", stack: func(s *stack) { s.Functions[0].Routes = append(s.Functions[0].Routes, "POST /inbox") },
			want: []string{`ApiFunction: topology route "POST /inbox" has no HttpApi event in template.yaml`}},
		{name: "local-only route deployed", stack: func(s *stack) { s.LocalOnly = append(s.LocalOnly, "GET /.well-known/nodeinfo") },
			want: []string{`ApiFunction: local-only route "GET /.well-known/nodeinfo" must not be in template.yaml`}},
		{name: "ApiId not an HttpApi", tmpl: replace("ApiId: !Ref HttpApi", "ApiId: !Ref Table"),
			want: []string{"ApiFunction event Api: ApiId must !Ref an AWS::Serverless::HttpApi, got !Ref Table"}},
		{name: "extra function", tmpl: appendRes(`
  ExtraFunction:
    Type: AWS::Serverless::Function
    Metadata: {BuildMethod: makefile}
    Properties: {CodeUri: .}
`), want: []string{"function resource ExtraFunction in template.yaml is not in topology.Functions"}},
		{name: "missing function", stack: func(s *stack) {
			s.Functions = append(s.Functions, topology.Function{Name: "web", LogicalID: "WebFunction"})
			s.Dirs["web"] = true
		}, want: []string{`topology function "web" has no AWS::Serverless::Function resource WebFunction in template.yaml`}},
		{name: "LogicalID off the build convention", stack: func(s *stack) { s.Functions[1].LogicalID = "InboxConsumer" },
			want: []string{
				`topology function "inbox": LogicalID InboxConsumer must be the folder name in CamelCase plus Function`,
				`topology function "inbox" has no AWS::Serverless::Function resource InboxConsumer in template.yaml`,
				"function resource InboxFunction in template.yaml is not in topology.Functions",
				`InboxFunction event Inbox consumes !GetAtt [InboxQueue Arn], but topology says it consumes ""`,
			}},
		{name: "folder not in topology", stack: func(s *stack) { s.Dirs["deliver"] = true },
			want: []string{"functions/deliver is not in topology.Functions"}},
		{name: "topology function without folder", stack: func(s *stack) { delete(s.Dirs, "inbox") },
			want: []string{`topology function "inbox" has no folder functions/inbox`}},
		{name: "folder without main.go", stack: func(s *stack) { s.Dirs["api"] = false },
			want: []string{"functions/api has no main.go"}},
		{name: "not a makefile build", tmpl: replace("BuildMethod: makefile", "BuildMethod: go1.x"),
			want: []string{"ApiFunction: Metadata.BuildMethod is go1.x, want makefile"}},
		{name: "wildcard action", tmpl: replace("dynamodb:GetItem", `"dynamodb:*"`),
			want: []string{`ApiFunction statement TableItems allows the wildcard action "dynamodb:*"`}},
		{name: "wildcard resource", tmpl: replace(`Resource: !Sub "${MediaBucket.Arn}/*"`, `Resource: "*"`),
			want: []string{`ApiFunction statement 1 allows the wildcard resource "*"`}},
		{name: "managed FullAccess policy", tmpl: replace("      Policies:\n", "      Policies:\n        - AmazonDynamoDBFullAccess\n"),
			want: []string{"ApiFunction uses the managed policy AmazonDynamoDBFullAccess"}},
		{name: "missing DLQ", tmpl: replace("      RedrivePolicy:\n        deadLetterTargetArn: !GetAtt InboxDLQ.Arn\n        maxReceiveCount: 5\n", ""),
			want: []string{"queue InboxQueue has no RedrivePolicy to a dead-letter queue"}},
		{name: "redrive to a non-queue", tmpl: replace("deadLetterTargetArn: !GetAtt InboxDLQ.Arn", "deadLetterTargetArn: !GetAtt Table.Arn"),
			want: []string{"queue InboxQueue: RedrivePolicy.deadLetterTargetArn must be !GetAtt <dead-letter queue>.Arn"}},
		{name: "queue not in topology", stack: func(s *stack) { s.Queues = nil; s.Functions[1].Consumes = "" },
			want: []string{
				"queue InboxQueue in template.yaml is not in topology.Queues",
				`InboxFunction event Inbox consumes !GetAtt [InboxQueue Arn], but topology says it consumes ""`,
			}},
		{name: "topology queue missing", stack: func(s *stack) {
			s.Queues = append(s.Queues, topology.Queue{Name: "deliver", LogicalID: "DeliverQueue"})
		},
			want: []string{`topology queue "deliver" has no AWS::SQS::Queue DeliverQueue in template.yaml`}},
		{name: "consumer on the dead-letter queue", tmpl: replace("Queue: !GetAtt InboxQueue.Arn", "Queue: !GetAtt InboxDLQ.Arn"),
			want: []string{
				`InboxFunction event Inbox consumes !GetAtt [InboxDLQ Arn], but topology says it consumes "inbox"`,
				`InboxFunction has no SQS event with Queue !GetAtt InboxQueue.Arn (topology: consumes "inbox")`,
			}},
		{name: "no partial batch failures", tmpl: replace("FunctionResponseTypes: [ReportBatchItemFailures]", "FunctionResponseTypes: []"),
			want: []string{"InboxFunction event Inbox: FunctionResponseTypes must be [ReportBatchItemFailures]"}},
		{name: "wrong runtime", tmpl: replace("Runtime: provided.al2023", "Runtime: provided.al2"),
			want: []string{"Globals.Function.Runtime is provided.al2, want provided.al2023"}},
		{name: "x86", tmpl: replace("Architectures: [arm64]", "Architectures: [x86_64]"),
			want: []string{"Globals.Function.Architectures is [x86_64], want [arm64]"}},
		{name: "GSI key renamed", tmpl: replace("{AttributeName: gsi2sk, KeyType: RANGE}", "{AttributeName: gsi1sk, KeyType: RANGE}"),
			want: []string{
				`table Table: GSI "gsi2" key is gsi2pk HASH / gsi1sk RANGE, want gsi2pk HASH / gsi2sk RANGE`,
				`table Table: attribute "gsi2sk" is defined but no key uses it`,
			}},
		{name: "GSI missing from template", stack: func(s *stack) {
			s.Schema.Indexes = append(slices.Clone(s.Schema.Indexes), table.Index{Name: "gsi3", PK: "gsi3pk", SK: "gsi3sk"})
		}, want: []string{`table Table: GSI "gsi3" (gsi3pk/gsi3sk) from the store's schema is missing`}},
		{name: "TTL attribute", tmpl: replace("AttributeName: ttl", "AttributeName: expiresAt"),
			want: []string{`table Table: TimeToLiveSpecification must enable attribute "ttl"`}},
		{name: "table env not a ref", tmpl: replace("TABLE_NAME: !Ref Table", "TABLE_NAME: vidiverse"),
			want: []string{"Globals.Function.Environment.Variables.TABLE_NAME must !Ref the AWS::DynamoDB::Table, got vidiverse"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := goodTemplate
			if tt.tmpl != nil {
				src = tt.tmpl(src)
			}
			want := testStack()
			if tt.stack != nil {
				tt.stack(&want)
			}
			problems := checkString(t, src, want)
			for _, w := range tt.want {
				if !slices.ContainsFunc(problems, func(p string) bool { return strings.Contains(p, w) }) {
					t.Errorf("no problem mentions %q; got:\n%s", w, strings.Join(problems, "\n"))
				}
			}
			if len(problems) > len(tt.want) {
				t.Errorf("%d problems, want %d:\n%s", len(problems), len(tt.want), strings.Join(problems, "\n"))
			}
		})
	}
}
