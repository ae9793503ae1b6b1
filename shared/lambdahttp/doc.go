// Package lambdahttp serves one net/http Handler from AWS Lambda behind an
// API Gateway HTTP API (payload format 2.0).
//
// It owns the translation in both directions: an
// events.APIGatewayV2HTTPRequest becomes an *http.Request (method, raw path
// and query, headers, cookies, body, Host, RemoteAddr and the invocation's
// context), and what the handler writes becomes an
// events.APIGatewayV2HTTPResponse (status, headers, Set-Cookie as cookies,
// a body that is base64-encoded unless it is text). It also enforces what
// Lambda imposes on the way out: a handler panic or a response over the
// synchronous payload limit becomes a 500 problem document instead of a
// failed invocation.
package lambdahttp
