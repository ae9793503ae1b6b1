// Command local runs one complete Vidiverse instance in the foreground on
// the embedded engines (make run). Configure it with PORT, PUBLIC_URL,
// DATA_DIR and ADMIN_PASSWORD; Ctrl-C stops it cleanly.
package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/vidiverse/vidiverse/shared/config"
	"github.com/vidiverse/vidiverse/shared/localstack"
	"github.com/vidiverse/vidiverse/shared/logging"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "vidiverse:", err)
		os.Exit(1)
	}
}

func run() error {
	cfg, err := config.FromEnv(os.Getenv)
	if err != nil {
		return err
	}
	if os.Getenv("LOG_FORMAT") == "" {
		cfg.LogFormat = "text"
	}
	log := logging.New(os.Stderr, cfg.LogFormat, cfg.LogLevel)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	stack, err := localstack.Open(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer stack.Close()
	generated, err := stack.Bootstrap(ctx)
	if err != nil {
		return fmt.Errorf("bootstrap: %w", err)
	}

	srv := stack.Server()
	listenErr := make(chan error, 1)
	go func() { listenErr <- srv.ListenAndServe() }()
	consumeErr := make(chan error, 1)
	go func() { consumeErr <- stack.Consume(ctx) }()

	// Give the listener a moment to fail fast (port in use) before
	// announcing the instance.
	select {
	case err := <-listenErr:
		return fmt.Errorf("listen on :%d: %w", cfg.Port, err)
	case <-time.After(200 * time.Millisecond):
	}
	fmt.Printf("Vidiverse is running at %s (data in %s)\n", cfg.PublicURL, cfg.DataDir)
	switch {
	case generated != "":
		fmt.Printf("Admin login: root / %s  (generated now and shown once; set ADMIN_PASSWORD to choose it)\n", generated)
	case cfg.AdminPassword != "":
		fmt.Println("Admin login: root / the ADMIN_PASSWORD you set")
	default:
		fmt.Println("Admin login: root / unchanged since the last start (set ADMIN_PASSWORD to reset it)")
	}
	fmt.Println("Press Ctrl-C to stop.")

	consuming := consumeErr
wait:
	for {
		select {
		case <-ctx.Done():
			break wait
		case err := <-listenErr:
			if !errors.Is(err, http.ErrServerClosed) {
				return err
			}
			break wait
		case err := <-consuming:
			if err != nil {
				return fmt.Errorf("queue consumers: %w", err)
			}
			consuming = nil // no consumers (yet): keep serving
		}
	}
	fmt.Println("Stopping…")
	shutCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	stop()
	if consuming != nil {
		<-consuming
	}
	fmt.Println("Stopped.")
	return nil
}
