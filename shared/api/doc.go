// Package api serves PeerTube's REST API (/api/v1) as one http.Handler,
// shaped exactly as PeerTube shapes it so PeerTube's own clients work
// unchanged. The same handler runs in the api Lambda function (through
// shared/lambdahttp) and in the local runner.
//
// Handlers return errors; *problem.Error values become PeerTube's
// problem+json answers and anything else a generic 500 whose cause is only
// logged.
package api
