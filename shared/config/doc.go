// Package config reads an instance's settings from the environment into
// one typed struct, with PeerTube's defaults, and fails fast on bad values.
// main functions load it once and pass it down; nothing else reads the
// environment.
package config
