// Package logging sets up log/slog: JSON in Lambda (text is available
// locally), a level from configuration, and a handler that adds the
// request id and the acting user carried by the context to every record
// logged with a context.
package logging
