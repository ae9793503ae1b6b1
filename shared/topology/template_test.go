package topology_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

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
	var ffmpeg []string
	for _, f := range topology.Functions {
		if f.Name == "transcode" { // the one function that runs ffmpeg
			ffmpeg = append(ffmpeg, f.LogicalID)
		}
	}
	want := stack{
		Functions: topology.Functions,
		Queues:    topology.Queues,
		LocalOnly: topology.LocalOnlyRoutes,
		CDN:       topology.CDNRoutes,
		Container: topology.ContainerRoutes,
		FFmpeg:    ffmpeg,
		Schema:    store.Schema, // the source of the key, index and TTL names
		Dirs:      dirs,
	}
	for _, p := range checkTemplate(src, want) {
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
			{Name: "transcode", LogicalID: "TranscodeFunction", Consumes: "transcode"},
		},
		Queues:    []topology.Queue{{Name: "transcode", LogicalID: "TranscodeQueue"}},
		LocalOnly: []string{"ANY /local-blob/{proxy+}"},
		CDN:       []string{"ANY /static/{proxy+}"},
		Container: []string{"POST /api/v1/videos/upload"},
		FFmpeg:    []string{"TranscodeFunction"},
		Schema:    testSchema,
		Dirs:      map[string]bool{"api": true, "transcode": true},
	}
}

// goodTemplate is a small template that satisfies testStack.
const goodTemplate = `
Transform: AWS::Serverless-2016-10-31
Parameters:
  TranscodeTimeout:
    Type: Number
    Default: 900
Globals:
  Function:
    Runtime: provided.al2023
    Architectures: [arm64]
    Handler: bootstrap
    Timeout: 29
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
  TranscodeFunction:
    Type: AWS::Serverless::Function
    Metadata:
      BuildMethod: makefile
    Properties:
      CodeUri: .
      Timeout: !Ref TranscodeTimeout
      Layers: [!Ref FfmpegLayer]
      Environment:
        Variables:
          FFMPEG_PATH: /opt/bin/ffmpeg
          FFPROBE_PATH: /opt/bin/ffprobe
      Events:
        Jobs:
          Type: SQS
          Properties:
            Queue: !GetAtt TranscodeQueue.Arn
            BatchSize: 1
            FunctionResponseTypes: [ReportBatchItemFailures]
  FfmpegLayer:
    Type: AWS::Serverless::LayerVersion
    Properties:
      ContentUri: .
      CompatibleArchitectures: [arm64]
  TranscodeQueue:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: 5400
      RedrivePolicy:
        deadLetterTargetArn: !GetAtt TranscodeDLQ.Arn
        maxReceiveCount: 5
  TranscodeDLQ:
    Type: AWS::SQS::Queue
  MediaBucket:
    Type: AWS::S3::Bucket
  MediaBucketPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref MediaBucket
      PolicyDocument:
        Statement:
          - Sid: DistributionReads
            Effect: Allow
            Principal: {Service: cloudfront.amazonaws.com}
            Action: s3:GetObject
            Resource: !Sub "${MediaBucket.Arn}/static/*"
            Condition:
              StringEquals:
                AWS:SourceArn: !Sub "arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/${Distribution}"
          - Sid: TlsOnly
            Effect: Deny
            Principal: "*"
            Action: "s3:*"
            Resource: !Sub "${MediaBucket.Arn}/*"
            Condition: {Bool: {aws:SecureTransport: "false"}}
  MediaAccess:
    Type: AWS::CloudFront::OriginAccessControl
  SeederLoadBalancer:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
  Distribution:
    Type: AWS::CloudFront::Distribution
    Properties:
      DistributionConfig:
        Origins:
          - Id: api
            DomainName: !Sub "${HttpApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}"
            OriginCustomHeaders:
              - {HeaderName: X-Forwarded-Host, HeaderValue: !Select [2, !Split ["/", !Ref PublicUrl]]}
          - Id: media
            DomainName: !GetAtt MediaBucket.RegionalDomainName
            OriginAccessControlId: !GetAtt MediaAccess.Id
          - Id: seeder
            DomainName: !GetAtt SeederLoadBalancer.DNSName
            OriginCustomHeaders:
              - {HeaderName: X-Forwarded-Host, HeaderValue: !Select [2, !Split ["/", !Ref PublicUrl]]}
        DefaultCacheBehavior:
          TargetOriginId: api
          AllowedMethods: [GET, HEAD, OPTIONS, PUT, PATCH, POST, DELETE]
          CachePolicyId: 4135ea2d-6df8-44a3-9df3-4b5a84be39ad
          OriginRequestPolicyId: b689b0a8-53d0-40ab-baf2-68738e2966ac
        CacheBehaviors:
          - PathPattern: /api/v1/videos/upload
            TargetOriginId: seeder
            AllowedMethods: [GET, HEAD, OPTIONS, PUT, PATCH, POST, DELETE]
          - PathPattern: /static/*.m3u8
            TargetOriginId: media
            AllowedMethods: [GET, HEAD, OPTIONS]
          - PathPattern: /static/*
            TargetOriginId: media
            AllowedMethods: [GET, HEAD, OPTIONS]
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

// seederNetwork is the seeder's network in the shape template.yaml gives
// it: a load balancer's group, and the task's group admitting WebRTC on
// the UDP range its task definition pins.
const seederNetwork = `
  LbGroup:
    Type: AWS::EC2::SecurityGroup
    Properties:
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 80, ToPort: 80, CidrIp: 10.42.0.0/16}
  TaskGroup:
    Type: AWS::EC2::SecurityGroup
    Properties:
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 9100, ToPort: 9100, SourceSecurityGroupId: !Ref LbGroup}
        - {IpProtocol: udp, FromPort: 32768, ToPort: 60999, CidrIp: 0.0.0.0/0}
      SecurityGroupEgress:
        - {IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 0.0.0.0/0}
        - {IpProtocol: udp, FromPort: 0, ToPort: 65535, CidrIp: 0.0.0.0/0}
  Task:
    Type: AWS::ECS::TaskDefinition
    Properties:
      ContainerDefinitions:
        - Name: seeder
          SystemControls:
            - {Namespace: net.ipv4.ip_local_port_range, Value: "32768 60999"}
  Service:
    Type: AWS::ECS::Service
    Properties:
      TaskDefinition: !Ref Task
      NetworkConfiguration:
        AwsvpcConfiguration:
          SecurityGroups: [!Ref TaskGroup]
`

func checkString(t *testing.T, src string, want stack) []string {
	t.Helper()
	return checkTemplate([]byte(src), want)
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
		{name: "LogicalID off the build convention", stack: func(s *stack) { s.Functions[1].LogicalID = "TranscodeConsumer" },
			want: []string{
				`topology function "transcode": LogicalID TranscodeConsumer must be the folder name in CamelCase plus Function`,
				`topology function "transcode" has no AWS::Serverless::Function resource TranscodeConsumer in template.yaml`,
				"function resource TranscodeFunction in template.yaml is not in topology.Functions",
				`TranscodeFunction event Jobs consumes !GetAtt [TranscodeQueue Arn], but topology says it consumes ""`,
			}},
		{name: "folder not in topology", stack: func(s *stack) { s.Dirs["deliver"] = true },
			want: []string{"functions/deliver is not in topology.Functions"}},
		{name: "topology function without folder", stack: func(s *stack) { delete(s.Dirs, "transcode") },
			want: []string{`topology function "transcode" has no folder functions/transcode`}},
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
		{name: "missing DLQ", tmpl: replace("      RedrivePolicy:\n        deadLetterTargetArn: !GetAtt TranscodeDLQ.Arn\n        maxReceiveCount: 5\n", ""),
			want: []string{"queue TranscodeQueue has no RedrivePolicy to a dead-letter queue"}},
		{name: "redrive to a non-queue", tmpl: replace("deadLetterTargetArn: !GetAtt TranscodeDLQ.Arn", "deadLetterTargetArn: !GetAtt Table.Arn"),
			want: []string{"queue TranscodeQueue: RedrivePolicy.deadLetterTargetArn must be !GetAtt <dead-letter queue>.Arn"}},
		{name: "queue not in topology", stack: func(s *stack) { s.Queues = nil; s.Functions[1].Consumes = "" },
			want: []string{
				"queue TranscodeQueue in template.yaml is not in topology.Queues",
				`TranscodeFunction event Jobs consumes !GetAtt [TranscodeQueue Arn], but topology says it consumes ""`,
			}},
		{name: "topology queue missing", stack: func(s *stack) {
			s.Queues = append(s.Queues, topology.Queue{Name: "deliver", LogicalID: "DeliverQueue"})
		},
			want: []string{`topology queue "deliver" has no AWS::SQS::Queue DeliverQueue in template.yaml`}},
		{name: "consumer on the dead-letter queue", tmpl: replace("Queue: !GetAtt TranscodeQueue.Arn", "Queue: !GetAtt TranscodeDLQ.Arn"),
			want: []string{
				`TranscodeFunction event Jobs consumes !GetAtt [TranscodeDLQ Arn], but topology says it consumes "transcode"`,
				`TranscodeFunction has no SQS event with Queue !GetAtt TranscodeQueue.Arn (topology: consumes "transcode")`,
				"queue TranscodeDLQ: VisibilityTimeout 30 is less than 6 × TranscodeFunction's timeout of 900 s (5400)",
			}},
		{name: "no partial batch failures", tmpl: replace("FunctionResponseTypes: [ReportBatchItemFailures]", "FunctionResponseTypes: []"),
			want: []string{"TranscodeFunction event Jobs: FunctionResponseTypes must be [ReportBatchItemFailures]"}},
		{name: "no batch size", tmpl: replace("            BatchSize: 1\n", ""),
			want: []string{"TranscodeFunction event Jobs: BatchSize must be set"}},
		{name: "visibility below six timeouts", tmpl: replace("VisibilityTimeout: 5400", "VisibilityTimeout: 5399"),
			want: []string{"queue TranscodeQueue: VisibilityTimeout 5399 is less than 6 × TranscodeFunction's timeout of 900 s (5400)"}},
		{name: "consumer timeout from Globals", tmpl: func(s string) string {
			return replace("    Timeout: 29\n", "    Timeout: 901\n")(replace("      Timeout: !Ref TranscodeTimeout\n", "")(s))
		}, want: []string{"queue TranscodeQueue: VisibilityTimeout 5400 is less than 6 × TranscodeFunction's timeout of 901 s (5406)"}},
		{name: "visibility defaults to 30 s", tmpl: replace("      VisibilityTimeout: 5400\n", ""),
			want: []string{"queue TranscodeQueue: VisibilityTimeout 30 is less than 6 × TranscodeFunction's timeout of 900 s (5400)"}},
		{name: "ffmpeg function without layer", tmpl: replace("      Layers: [!Ref FfmpegLayer]\n", ""),
			want: []string{"TranscodeFunction runs ffmpeg but has no Layers entry"}},
		{name: "layer not a layer", tmpl: replace("Layers: [!Ref FfmpegLayer]", "Layers: [!Ref MediaBucket]"),
			want: []string{"TranscodeFunction runs ffmpeg but has no Layers entry"}},
		{name: "x86 layer", tmpl: replace("CompatibleArchitectures: [arm64]", "CompatibleArchitectures: [x86_64]"),
			want: []string{"layer FfmpegLayer: CompatibleArchitectures must be [arm64]"}},
		{name: "ffmpeg off the layer", tmpl: replace("FFMPEG_PATH: /opt/bin/ffmpeg", "FFMPEG_PATH: /usr/bin/ffmpeg"),
			want: []string{`TranscodeFunction: FFMPEG_PATH must name the layer's binary under /opt, got "/usr/bin/ffmpeg"`}},
		{name: "allow every principal", tmpl: replace("Principal: {Service: cloudfront.amazonaws.com}", `Principal: "*"`),
			want: []string{
				"MediaBucketPolicy statement DistributionReads allows every principal",
				"media bucket MediaBucket has no bucket policy statement that lets Distribution read it",
			}},
		{name: "CDN route without behaviour", stack: func(s *stack) { s.CDN = append(s.CDN, "ANY /lazy-static/{proxy+}") },
			want: []string{
				`CDN route "ANY /lazy-static/{proxy+}" has no cache behaviour /lazy-static/* in template.yaml`,
				"MediaBucketPolicy does not let the distribution read ${MediaBucket.Arn}/lazy-static/* (a topology.CDNRoutes path)",
			}},
		{name: "media behaviour outside the CDN routes",
			tmpl: replace("          - PathPattern: /static/*\n", "          - PathPattern: /originals/*\n            TargetOriginId: media\n          - PathPattern: /static/*\n"),
			want: []string{"cache behaviour /originals/* reads the media bucket but is under no topology.CDNRoutes path"}},
		{name: "CDN route served by the API",
			tmpl: replace("- PathPattern: /static/*\n            TargetOriginId: media", "- PathPattern: /static/*\n            TargetOriginId: api"),
			want: []string{
				`cache behaviour /static/* serves CDN route "ANY /static/{proxy+}" from the HttpApi, want the media bucket`,
				"cache behaviour /static/* to the HttpApi must allow every method",
				"cache behaviour /static/* to the HttpApi must use Managed-CachingDisabled",
			}},
		{name: "writes through to the media bucket",
			tmpl: replace("- PathPattern: /static/*\n            TargetOriginId: media\n            AllowedMethods: [GET, HEAD, OPTIONS]",
				"- PathPattern: /static/*\n            TargetOriginId: media\n            AllowedMethods: [GET, HEAD, OPTIONS, PUT, PATCH, POST, DELETE]"),
			want: []string{
				"cache behaviour /static/* to the media bucket allows DELETE; media is read-only",
				"cache behaviour /static/* to the media bucket allows PATCH; media is read-only",
				"cache behaviour /static/* to the media bucket allows POST; media is read-only",
				"cache behaviour /static/* to the media bucket allows PUT; media is read-only",
			}},
		{name: "whole bucket readable", tmpl: replace(`Resource: !Sub "${MediaBucket.Arn}/static/*"`, `Resource: !Sub "${MediaBucket.Arn}/*"`),
			want: []string{
				"MediaBucketPolicy lets the distribution read ${MediaBucket.Arn}/*, which is no topology.CDNRoutes path",
				"MediaBucketPolicy does not let the distribution read ${MediaBucket.Arn}/static/* (a topology.CDNRoutes path)",
			}},
		{name: "bucket readable by any distribution", tmpl: replace("AWS:SourceArn: !Sub", "AWS:SourceAccount: !Sub"),
			want: []string{"MediaBucketPolicy lets CloudFront read MediaBucket without the condition AWS:SourceArn = Distribution's ARN"}},
		{name: "no bucket policy", tmpl: replace("Bucket: !Ref MediaBucket", "Bucket: !Ref OtherBucket"),
			want: []string{"media bucket MediaBucket has no bucket policy statement that lets Distribution read it"}},
		{name: "no origin access control", tmpl: replace("            OriginAccessControlId: !GetAtt MediaAccess.Id\n", ""),
			want: []string{"Distribution origin media reads the media bucket without an origin access control"}},
		{name: "container route without behaviour", stack: func(s *stack) { s.Container = append(s.Container, "ANY /tracker/{proxy+}") },
			want: []string{`container route "ANY /tracker/{proxy+}" has no cache behaviour /tracker/* in template.yaml`}},
		{name: "container behaviour not in topology", stack: func(s *stack) { s.Container = nil },
			want: []string{"cache behaviour /api/v1/videos/upload goes to the container but is not in topology.ContainerRoutes"}},
		{name: "container behaviour refuses the route's method",
			tmpl: replace("TargetOriginId: seeder\n            AllowedMethods: [GET, HEAD, OPTIONS, PUT, PATCH, POST, DELETE]", "TargetOriginId: seeder\n            AllowedMethods: [GET, HEAD]"),
			want: []string{`cache behaviour /api/v1/videos/upload does not allow POST (container route "POST /api/v1/videos/upload")`}},
		{name: "container route sent to the API", tmpl: replace("TargetOriginId: seeder", "TargetOriginId: api"),
			want: []string{
				`cache behaviour /api/v1/videos/upload serves container route "POST /api/v1/videos/upload" from the HttpApi, want the container's load balancer`,
				"cache behaviour /api/v1/videos/upload to the HttpApi must use Managed-CachingDisabled",
			}},
		{name: "default behaviour to the bucket", tmpl: replace("TargetOriginId: api", "TargetOriginId: media"),
			want: []string{
				"the default cache behaviour goes to the media bucket, want the HttpApi",
				"the default cache behaviour reads the media bucket but is under no topology.CDNRoutes path",
				"the default cache behaviour to the media bucket allows DELETE",
				"the default cache behaviour to the media bucket allows PATCH",
				"the default cache behaviour to the media bucket allows POST",
				"the default cache behaviour to the media bucket allows PUT",
			}},
		{name: "function route taken from the API",
			tmpl: replace("          - PathPattern: /static/*.m3u8\n",
				"          - PathPattern: .well-known/*\n            TargetOriginId: media\n            AllowedMethods: [GET, HEAD, OPTIONS]\n          - PathPattern: /static/*.m3u8\n"),
			want: []string{
				"cache behaviour .well-known/* reads the media bucket but is under no topology.CDNRoutes path",
				`ApiFunction route "GET /.well-known/nodeinfo" reaches the media bucket through cache behaviour .well-known/*, want the HttpApi`,
			}},
		{name: "greedy function route taken by the container", tmpl: replace("PathPattern: /api/v1/videos/upload", "PathPattern: /api/v1/*"),
			want: []string{
				"cache behaviour /api/v1/* goes to the container but is not in topology.ContainerRoutes",
				`container route "POST /api/v1/videos/upload" has no cache behaviour /api/v1/videos/upload in template.yaml`,
				`ApiFunction route "ANY /api/v1/{proxy+}" reaches the container's load balancer through cache behaviour /api/v1/*, want the HttpApi`,
			}},
		{name: "queue named without permission", tmpl: replace("      CodeUri: .\n      Events:\n        Api:",
			"      CodeUri: .\n      Environment:\n        Variables:\n          JOBS_URL: !Ref TranscodeQueue\n      Events:\n        Api:"),
			want: []string{"ApiFunction: JOBS_URL names the queue TranscodeQueue, but no statement of its policies allows sqs:SendMessage on it"}},
		{name: "queue permission no variable names", tmpl: replace("            - Effect: Allow\n              Action: s3:GetObject",
			"            - Sid: Jobs\n              Effect: Allow\n              Action: [sqs:SendMessage]\n              Resource: [!GetAtt TranscodeQueue.Arn]\n            - Effect: Allow\n              Action: s3:GetObject"),
			want: []string{"ApiFunction allows sqs:SendMessage on the queue TranscodeQueue, but none of its environment variables names it (!Ref TranscodeQueue)"}},
		{name: "queue named and granted", tmpl: func(s string) string {
			s = replace("      CodeUri: .\n      Events:\n        Api:",
				"      CodeUri: .\n      Environment:\n        Variables:\n          JOBS_URL: !Ref TranscodeQueue\n      Events:\n        Api:")(s)
			return replace("            - Effect: Allow\n              Action: s3:GetObject",
				"            - Sid: Jobs\n              Effect: Allow\n              Action: sqs:SendMessage\n              Resource: {\"Fn::GetAtt\": [TranscodeQueue, Arn]}\n            - Effect: Allow\n              Action: s3:GetObject")(s)
		}},
		{name: "queue named in Globals", tmpl: replace("        MEDIA_BUCKET: !Ref MediaBucket\n", "        MEDIA_BUCKET: !Ref MediaBucket\n        JOBS_URL: !Ref TranscodeQueue\n"),
			want: []string{
				"ApiFunction: JOBS_URL names the queue TranscodeQueue, but no statement of its policies allows sqs:SendMessage on it",
				"TranscodeFunction: JOBS_URL names the queue TranscodeQueue, but no statement of its policies allows sqs:SendMessage on it",
			}},
		{name: "WebRTC ports pinned and admitted", tmpl: appendRes(seederNetwork)},
		{name: "UDP range off the pinned ports", tmpl: func(s string) string { return replace("ToPort: 60999", "ToPort: 61000")(s + seederNetwork) },
			want: []string{
				`TaskGroup admits UDP on 32768-61000, but the task definition Task of Service pins net.ipv4.ip_local_port_range to "32768 60999"`,
				`the task definition Task pins net.ipv4.ip_local_port_range to "32768 60999", but no security group of Service admits UDP on that range`,
			}},
		{name: "WebRTC ports not pinned", tmpl: func(s string) string {
			return replace("          SystemControls:\n            - {Namespace: net.ipv4.ip_local_port_range, Value: \"32768 60999\"}\n", "")(s + seederNetwork)
		}, want: []string{"TaskGroup admits UDP on 32768-60999, but the task definition Task of Service does not pin net.ipv4.ip_local_port_range"}},
		{name: "pinned ports not admitted", tmpl: func(s string) string {
			return replace("        - {IpProtocol: udp, FromPort: 32768, ToPort: 60999, CidrIp: 0.0.0.0/0}\n", "")(s + seederNetwork)
		}, want: []string{`the task definition Task pins net.ipv4.ip_local_port_range to "32768 60999", but no security group of Service admits UDP on that range`}},
		{name: "no UDP out", tmpl: func(s string) string {
			return replace("        - {IpProtocol: udp, FromPort: 0, ToPort: 65535, CidrIp: 0.0.0.0/0}\n", "")(s + seederNetwork)
		}, want: []string{"TaskGroup admits UDP but lets no UDP out to every port and address"}},
		{name: "UDP to the load balancer", tmpl: func(s string) string {
			return replace("        - {IpProtocol: tcp, FromPort: 80, ToPort: 80, CidrIp: 10.42.0.0/16}\n",
				"        - {IpProtocol: tcp, FromPort: 80, ToPort: 80, CidrIp: 10.42.0.0/16}\n        - {IpProtocol: \"-1\", CidrIp: 0.0.0.0/0}\n")(s + seederNetwork)
		}, want: []string{"LbGroup admits UDP but is no ECS service's security group"}},
		{name: "UDP admitted by a separate ingress resource", tmpl: appendRes(seederNetwork + `
  LbUdp:
    Type: AWS::EC2::SecurityGroupIngress
    Properties: {GroupId: !GetAtt LbGroup.GroupId, IpProtocol: udp, FromPort: 53, ToPort: 53, CidrIp: 0.0.0.0/0}
`), want: []string{"LbGroup admits UDP but is no ECS service's security group"}},
		{name: "viewer Host forwarded to API Gateway", tmpl: replace("b689b0a8-53d0-40ab-baf2-68738e2966ac", "216adef6-5c7f-47e4-b989-5492eafa07d3"),
			want: []string{"the default cache behaviour forwards the viewer's Host to API Gateway"}},
		{name: "no public host for the API", tmpl: replace("{HeaderName: X-Forwarded-Host,", "{HeaderName: X-Public-Host,"),
			want: []string{"Distribution origin api: OriginCustomHeaders must set X-Forwarded-Host to PublicUrl's host"}},
		{name: "shadowed behaviour",
			tmpl: replace("          - PathPattern: /static/*.m3u8\n            TargetOriginId: media\n            AllowedMethods: [GET, HEAD, OPTIONS]\n          - PathPattern: /static/*\n",
				"          - PathPattern: /static/*\n            TargetOriginId: media\n            AllowedMethods: [GET, HEAD, OPTIONS]\n          - PathPattern: /static/*.m3u8\n"),
			want: []string{"cache behaviour /static/*.m3u8 is unreachable: cache behaviour /static/* comes first"}},
		{name: "undefined origin", tmpl: replace("TargetOriginId: seeder", "TargetOriginId: tracker"),
			want: []string{`cache behaviour /api/v1/videos/upload targets origin "tracker", which the distribution does not define`}},
		{name: "origin of no known kind", tmpl: replace("DomainName: !GetAtt SeederLoadBalancer.DNSName", "DomainName: seeder.example"),
			want: []string{"Distribution origin seeder: DomainName seeder.example is none of the HttpApi, the media bucket or a load balancer"}},
		{name: "no distribution", tmpl: replace("Type: AWS::CloudFront::Distribution", "Type: AWS::CloudFront::StreamingDistribution"),
			want: []string{"template.yaml has 0 AWS::CloudFront::Distribution resources, want exactly 1"}},
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
