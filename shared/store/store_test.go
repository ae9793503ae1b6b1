package store

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/table"
	"github.com/vidiverse/vidiverse/shared/table/dynamo"
	"github.com/vidiverse/vidiverse/shared/table/dynamo/dynamotest"
	"github.com/vidiverse/vidiverse/shared/table/embedded"
)

// engines are the table engines the store's tests run on.
var engines = map[string]func(t *testing.T) table.Table{
	"embedded": func(t *testing.T) table.Table {
		tbl, err := embedded.Open(filepath.Join(t.TempDir(), "t.db"), Schema)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = tbl.Close() })
		return tbl
	},
	// DynamoDB through minidyn, in process.
	"dynamo": func(t *testing.T) table.Table {
		client := dynamotest.Minidyn(t, dynamotest.EmptyValueShim)
		if err := dynamo.CreateTable(t.Context(), client, "vidiverse", Schema); err != nil {
			t.Fatal(err)
		}
		return dynamo.New(client, "vidiverse", Schema)
	},
}

// clock is a settable test clock.
type clock struct{ ns atomic.Int64 }

// newClock starts in the future: the engines judge TTL expiry by the real
// clock, so items this clock dates never expire under the test, while the
// store's own expiry checks follow it.
func newClock() *clock {
	c := &clock{}
	c.ns.Store(time.Date(2100, 1, 1, 8, 0, 0, 0, time.UTC).UnixNano())
	return c
}
func (c *clock) now() time.Time      { return time.Unix(0, c.ns.Load()) }
func (c *clock) add(d time.Duration) { c.ns.Add(int64(d)) }

func forEachEngine(t *testing.T, f func(t *testing.T, s *Store, c *clock)) {
	for name, open := range engines {
		t.Run(name, func(t *testing.T) {
			c := newClock()
			f(t, New(open(t)).WithClock(c.now), c)
		})
	}
}

func newUser(name string) NewUser {
	return NewUser{
		User:               model.User{Username: name, Email: name + "@example.com", PasswordHash: "x"},
		AccountDisplayName: name,
		Channel:            model.Channel{Name: name + "_channel", DisplayName: "Main " + name + " channel"},
	}
}

func TestCreateUserClaimsNamesOnce(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *Store, _ *clock) {
		ctx := context.Background()
		var wg sync.WaitGroup
		var won atomic.Int32
		for i := 0; i < 8; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				nu := newUser("alice")
				nu.User.Email = fmt.Sprintf("alice%d@example.com", i)
				nu.Channel.Name = fmt.Sprintf("alice_ch%d", i)
				_, _, _, err := s.CreateUser(ctx, nu)
				var taken *TakenError
				switch {
				case err == nil:
					won.Add(1)
				case errors.As(err, &taken) && (taken.What == "username" || taken.What == "name"):
				default:
					t.Errorf("unexpected error %v", err)
				}
			}()
		}
		wg.Wait()
		if won.Load() != 1 {
			t.Fatalf("%d concurrent creations of one username succeeded, want 1", won.Load())
		}
		users, err := s.Users(ctx)
		if err != nil || len(users) != 1 {
			t.Fatalf("users %v %v", users, err)
		}
		nu := newUser("bob")
		nu.User.Email = users[0].Email
		_, _, _, err = s.CreateUser(ctx, nu)
		var taken *TakenError
		if !errors.As(err, &taken) || taken.What != "email" {
			t.Fatalf("duplicate email: %v", err)
		}
		// A failed creation leaves nothing behind: bob's names are free.
		if _, err := s.UserByUsername(ctx, "bob"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("bob exists after a failed creation: %v", err)
		}
		if _, _, _, err := s.CreateUser(ctx, newUser("bob")); err != nil {
			t.Fatal(err)
		}
	})
}

func TestUserLookupsAndUpdate(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *Store, _ *clock) {
		ctx := context.Background()
		u, acc, ch, err := s.CreateUser(ctx, newUser("carol"))
		if err != nil {
			t.Fatal(err)
		}
		if u.AccountID != acc.ID || ch.AccountID != acc.ID || acc.UserID != u.ID {
			t.Fatalf("links: user %+v account %+v channel %+v", u, acc, ch)
		}
		for _, login := range []string{"carol", "CAROL", "carol@example.com", "Carol@Example.com"} {
			got, err := s.UserByLogin(ctx, login)
			if err != nil || got.ID != u.ID {
				t.Fatalf("UserByLogin(%q) = %v, %v", login, got.ID, err)
			}
		}
		u.Email = "carol2@example.com"
		u2, err := s.UpdateUser(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.UpdateUser(ctx, u); !errors.Is(err, ErrStale) {
			t.Fatalf("update from a stale read: %v, want ErrStale", err)
		}
		if got, _ := s.UserByEmail(ctx, "carol2@example.com"); got.ID != u.ID {
			t.Fatal("new email does not find the user")
		}
		if _, err := s.UserByEmail(ctx, "carol@example.com"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("old email still claimed: %v", err)
		}
		if u2.Version != u.Version+1 {
			t.Fatalf("version %d after %d", u2.Version, u.Version)
		}
	})
}

func TestDeleteUserKeepsActorNames(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *Store, _ *clock) {
		ctx := context.Background()
		u, _, _, err := s.CreateUser(ctx, newUser("dave"))
		if err != nil {
			t.Fatal(err)
		}
		tok, err := s.IssueToken(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteUser(ctx, u.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.TokenByAccess(ctx, tok.Access); !errors.Is(err, ErrNotFound) {
			t.Fatalf("token of a deleted user: %v", err)
		}
		if _, err := s.AccountByName(ctx, "dave"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("account of a deleted user: %v", err)
		}
		_, _, _, err = s.CreateUser(ctx, newUser("dave"))
		var taken *TakenError
		if !errors.As(err, &taken) || taken.What != "name" {
			t.Fatalf("recreating dave: %v, want the actor name taken", err)
		}
		// The email is free again.
		nu := newUser("dave2")
		nu.User.Email = "dave@example.com"
		if _, _, _, err := s.CreateUser(ctx, nu); err != nil {
			t.Fatal(err)
		}
	})
}

func TestChannelCountIsEnforcedAtomically(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *Store, _ *clock) {
		ctx := context.Background()
		u, _, def, err := s.CreateUser(ctx, newUser("erin"))
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		var created atomic.Int32
		for i := 0; i < 6; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := s.CreateChannel(ctx, model.Channel{AccountID: u.AccountID, Name: fmt.Sprintf("erin%d", i)}, 3)
				switch {
				case err == nil:
					created.Add(1)
				case errors.Is(err, ErrTooManyChannels):
				default:
					t.Errorf("create channel: %v", err)
				}
			}()
		}
		wg.Wait()
		if created.Load() != 2 {
			t.Fatalf("created %d, want 2 (3 minus the default)", created.Load())
		}
		chans, err := s.AccountChannels(ctx, u.AccountID)
		if err != nil || len(chans) != 3 {
			t.Fatalf("channels %v %v", chans, err)
		}
		// Deleting down to one works; the last one stays, even when two
		// deletions race for it.
		if err := s.DeleteChannel(ctx, chans[1]); err != nil {
			t.Fatal(err)
		}
		errs := make(chan error, 2)
		for _, c := range []model.Channel{chans[2], def} {
			go func() { errs <- s.DeleteChannel(ctx, c) }()
		}
		e1, e2 := <-errs, <-errs
		if (e1 == nil) == (e2 == nil) || !(errors.Is(e1, ErrLastChannel) || errors.Is(e2, ErrLastChannel)) {
			t.Fatalf("racing deletions of the last two channels: %v, %v", e1, e2)
		}
		if _, err := s.CreateChannel(ctx, model.Channel{AccountID: 424242, Name: "orphan"}, 3); !errors.Is(err, ErrNotFound) {
			t.Fatalf("channel for a missing account: %v", err)
		}
	})
}

func TestTokens(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *Store, c *clock) {
		ctx := context.Background()
		u, _, _, err := s.CreateUser(ctx, newUser("frank"))
		if err != nil {
			t.Fatal(err)
		}
		tok, err := s.IssueToken(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := s.TokenByAccess(ctx, tok.Access); err != nil || got.UserID != u.ID {
			t.Fatalf("lookup: %v %v", got, err)
		}
		if _, err := s.TokenByAccess(ctx, tok.Refresh); !errors.Is(err, ErrNotFound) {
			t.Fatal("a refresh token works as an access token")
		}
		if _, err := s.IssueToken(ctx, 424242); !errors.Is(err, ErrNotFound) {
			t.Fatalf("token for a missing user: %v", err)
		}

		// A refresh token is single-use, even under concurrency.
		var wg sync.WaitGroup
		var ok atomic.Int32
		for i := 0; i < 6; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := s.RefreshToken(ctx, tok.Refresh); err == nil {
					ok.Add(1)
				} else if !errors.Is(err, ErrNotFound) {
					t.Errorf("refresh: %v", err)
				}
			}()
		}
		wg.Wait()
		if ok.Load() != 1 {
			t.Fatalf("refresh token used %d times", ok.Load())
		}
		if _, err := s.TokenByAccess(ctx, tok.Access); !errors.Is(err, ErrNotFound) {
			t.Fatal("old access token still works after refresh")
		}

		// Expiry follows the clock.
		t2, err := s.IssueToken(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		c.add(AccessTokenLifetime + time.Second)
		if _, err := s.TokenByAccess(ctx, t2.Access); !errors.Is(err, ErrNotFound) {
			t.Fatalf("expired access token: %v", err)
		}
		if _, err := s.RefreshToken(ctx, t2.Refresh); err != nil {
			t.Fatalf("refresh within its lifetime: %v", err)
		}
		t3, _ := s.IssueToken(ctx, u.ID)
		c.add(RefreshTokenLifetime + time.Second)
		if _, err := s.RefreshToken(ctx, t3.Refresh); !errors.Is(err, ErrExpired) && !errors.Is(err, ErrNotFound) {
			t.Fatalf("expired refresh token: %v", err)
		}

		// Revocation: one pair, or all but one.
		a, _ := s.IssueToken(ctx, u.ID)
		b, _ := s.IssueToken(ctx, u.ID)
		keep, _ := s.IssueToken(ctx, u.ID)
		if err := s.RevokeAccess(ctx, a.Access); err != nil {
			t.Fatal(err)
		}
		if _, err := s.RefreshToken(ctx, a.Refresh); !errors.Is(err, ErrNotFound) {
			t.Fatal("refresh token of a revoked pair still works")
		}
		if err := s.RevokeUserTokens(ctx, u.ID, keep.Access); err != nil {
			t.Fatal(err)
		}
		if _, err := s.TokenByAccess(ctx, b.Access); !errors.Is(err, ErrNotFound) {
			t.Fatal("RevokeUserTokens left a token")
		}
		if _, err := s.TokenByAccess(ctx, keep.Access); err != nil {
			t.Fatalf("RevokeUserTokens revoked the kept token: %v", err)
		}
	})
}

func TestRateWindows(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *Store, c *clock) {
		ctx := context.Background()
		for want := int64(1); want <= 3; want++ {
			n, _, err := s.Hit(ctx, "login", "10.0.0.1", 5*time.Minute)
			if err != nil || n != want {
				t.Fatalf("hit %d: %d %v", want, n, err)
			}
		}
		if n, _, _ := s.Hit(ctx, "login", "10.0.0.2", 5*time.Minute); n != 1 {
			t.Fatalf("another IP shares the count: %d", n)
		}
		if n, _, _ := s.Hits(ctx, "login", "10.0.0.1", 5*time.Minute); n != 3 {
			t.Fatalf("Hits = %d, want 3", n)
		}
		c.add(5 * time.Minute)
		if n, _, _ := s.Hit(ctx, "login", "10.0.0.1", 5*time.Minute); n != 1 {
			t.Fatalf("new window starts at %d, want 1", n)
		}
	})
}

func TestBootstrapPiecesAreIdempotent(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *Store, _ *clock) {
		ctx := context.Background()
		var wg sync.WaitGroup
		clients := make([]model.OAuthClient, 5)
		accounts := make([]model.Account, 5)
		for i := range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var err error
				if clients[i], err = s.EnsureOAuthClient(ctx); err != nil {
					t.Error(err)
				}
				if accounts[i], err = s.EnsureInstanceAccount(ctx); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		for i := range clients {
			if clients[i] != clients[0] || accounts[i].ID != accounts[0].ID {
				t.Fatalf("concurrent bootstraps disagree: %v %v", clients, accounts)
			}
		}
		accs, err := s.Accounts(ctx)
		if err != nil || len(accs) != 1 {
			t.Fatalf("accounts after concurrent bootstraps: %v %v", accs, err)
		}
	})
}
