// Package serverconfig builds the documents of GET /api/v1/config
// (ServerConfig) and GET /api/v1/config/about (ServerConfigAbout) in the
// shape PeerTube 6.1 serves them, from the instance's Settings.
//
// Every key PeerTube 6.1 sends is present, with the same nesting and JSON
// types. Values come from Settings; features this server does not have
// (live, imports, plugins, themes, video studio, remote runners, user
// import and export, …) are reported as disabled or empty, so clients do not
// offer them.
package serverconfig
