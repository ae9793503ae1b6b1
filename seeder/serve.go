package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/vidiverse/vidiverse/shared/topology"
	"github.com/vidiverse/vidiverse/shared/tracker"
)

// shutdownGrace bounds the graceful shutdown: ECS stops the container 30 s
// after SIGTERM (the task definition's default stopTimeout), and the
// load balancer has drained the task before that (uploads in flight had
// its deregistration delay to finish).
const shutdownGrace = 20 * time.Second

// routes mounts the container's routes: topology.ContainerRoutes (the
// tracker's to p, when there is one; the others to api), /healthz for the
// load balancer, and MetricsPath.
func routes(api http.Handler, p *p2p) *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	for _, route := range topology.ContainerRoutes {
		if _, path, _ := strings.Cut(route, " "); strings.HasPrefix(path, tracker.PathPrefix) {
			if p != nil {
				mux.Handle(topology.Pattern(route), p.Tracker())
			}
			continue
		}
		if api != nil {
			mux.Handle(topology.Pattern(route), api)
		}
	}
	if p != nil {
		mux.HandleFunc("GET "+MetricsPath, p.serveMetrics)
	}
	return mux
}

// newServer is the container's HTTP server. Uploads are long: bodies have
// no read deadline, only headers do.
func newServer(h http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 120 * time.Second,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
}

// serve answers on ln and starts p's seed (which announces to the tracker
// on ln's port), until ctx ends; then it stops accepting, lets the
// requests in flight finish for up to shutdownGrace, and closes p (the
// tracker's WebSockets and the seed). It returns nil after a shutdown
// asked by ctx.
func serve(ctx context.Context, ln net.Listener, srv *http.Server, p *p2p) error {
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	if p != nil {
		defer p.close()
		p.start(ctx, ln.Addr().(*net.TCPAddr).Port)
	}
	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	shut, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownGrace)
	defer cancel()
	err := srv.Shutdown(shut)
	if serr := <-served; !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, serr)
	}
	if err != nil {
		return fmt.Errorf("shut down: %w", err)
	}
	return nil
}
