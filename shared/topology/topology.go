package topology

import "strings"

// Function is one Lambda function.
type Function struct {
	// Name is the folder under functions/.
	Name string
	// LogicalID is the function's resource name in template.yaml.
	LogicalID string
	// Routes are the HTTP API route keys it serves ("METHOD /path", where
	// METHOD may be ANY and the path may end in a {proxy+} greedy segment).
	Routes []string
	// Consumes names the queue the function consumes, if any.
	Consumes string
}

// Queue is one SQS queue (each has a dead-letter queue beside it).
type Queue struct {
	// Name is the queue's short name, used locally as its directory.
	Name string
	// LogicalID is the queue's resource name in template.yaml.
	LogicalID string
}

// Functions lists every function of the stack.
var Functions = []Function{
	{
		Name:      "api",
		LogicalID: "ApiFunction",
		Routes:    []string{"ANY /api/v1/{proxy+}", "ANY /download/{proxy+}"},
	},
	{
		// Discovery, actor documents, video and comment objects, and the
		// inboxes (verify, record, queue, 202).
		Name:      "federation",
		LogicalID: "FederationFunction",
		Routes: []string{
			"GET /.well-known/webfinger",
			"GET /.well-known/nodeinfo",
			"GET /.well-known/host-meta",
			"GET /nodeinfo/2.0.json",
			"ANY /accounts/{proxy+}",
			"ANY /video-channels/{proxy+}",
			"GET /videos/watch/{proxy+}",
			"GET /videos/embed/{proxy+}",
			"GET /player/{proxy+}",
			"POST /inbox",
		},
	},
	{
		// Applies the activities the inboxes queued.
		Name:      "inbox",
		LogicalID: "InboxFunction",
		Consumes:  "inbox",
	},
	{
		// Signs and sends outgoing activities, one inbox per job.
		Name:      "deliver",
		LogicalID: "DeliverFunction",
		Consumes:  "deliver",
	},
	{
		Name:      "transcode",
		LogicalID: "TranscodeFunction",
		Consumes:  "transcode",
	},
}

// Queues lists every queue of the stack.
var Queues = []Queue{
	{Name: "transcode", LogicalID: "TranscodeQueue"},
	{Name: "inbox", LogicalID: "InboxQueue"},
	{Name: "deliver", LogicalID: "DeliverQueue"},
}

// ContainerRoutes are served by the long-running container in AWS (the
// seeder service), not by a function: request bodies larger than Lambda's
// 6 MB, such as PeerTube's legacy single-request upload (locally the api
// handler serves it like any other route), and the WebTorrent tracker
// (shared/tracker), whose WebSockets and in-memory swarms need a process
// that stays up.
var ContainerRoutes = []string{
	"POST /api/v1/videos/upload",
	"GET /tracker/socket",
	"GET /tracker/announce",
	"GET /tracker/scrape",
}

// LocalOnlyRoutes are served only by the local runner: they stand in for an
// AWS service that is not a function (S3 presigned URLs).
var LocalOnlyRoutes = []string{"ANY /local-blob/{proxy+}"}

// CDNRoutes are the public media paths. In AWS CloudFront serves them from
// the media bucket; locally shared/cdn serves them from blob storage.
var CDNRoutes = []string{"ANY /static/{proxy+}", "ANY /lazy-static/{proxy+}"}

// Pattern turns a route key into a net/http ServeMux pattern:
// "ANY /api/v1/{proxy+}" becomes "/api/v1/" and "GET /x" becomes "GET /x".
func Pattern(route string) string {
	method, path, _ := strings.Cut(route, " ")
	if strings.HasSuffix(path, "/{proxy+}") {
		path = strings.TrimSuffix(path, "{proxy+}")
	}
	if method == "ANY" {
		return path
	}
	return method + " " + path
}
