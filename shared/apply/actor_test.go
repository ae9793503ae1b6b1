package apply_test

import (
	"slices"
	"testing"
)

func TestUpdateOfAnActorFetchesItAgain(t *testing.T) {
	e := newEnv(t, instance2)
	rm := newRemote(t, e)
	serveInstance1(t, rm)
	ctx := t.Context()
	chRef, err := e.r.Actor(ctx, rm.URL+"/video-channels/root_channel")
	if err != nil {
		t.Fatal(err)
	}
	rm.fetched()
	// The origin changed its documents, then told its followers.
	rm.capture("/accounts/root", i1AP+"ap-account-root-after-update.json", host1)
	rm.capture("/video-channels/root_channel", i1AP+"ap-channel-root_channel-after-update.json", host1)
	e.applied(t, rm.delivery(i1ToI2+"09-update-person", host1), rm.delivery(i1ToI2+"10-update-group", host1))
	root, err := e.st.AccountByURL(ctx, rm.URL+"/accounts/root")
	if err != nil {
		t.Fatal(err)
	}
	if root.DisplayName != "Root Admin" || root.Description != "Account description of the root user." {
		t.Errorf("root after Update: %q %q", root.DisplayName, root.Description)
	}
	ch, err := e.st.Channel(ctx, chRef.ID)
	if err != nil {
		t.Fatal(err)
	}
	if ch.Description != "Description of the main channel." {
		t.Errorf("channel after Update: %q", ch.Description)
	}
	got := rm.fetched()
	if !slices.Contains(got, "/accounts/root") || !slices.Contains(got, "/video-channels/root_channel") {
		t.Errorf("fetched %v", got)
	}

	// An Update of an actor not known here fetches nothing; one of
	// another actor than the sender is dropped.
	e.applied(t, rm.delivery(i1ToI2+"09-update-person", host1))
	rm.fetched()
	unknown := edit(t, rm.delivery(i1ToI2+"09-update-person", host1), func(m map[string]any) {
		m["actor"] = rm.URL + "/accounts/someone"
		m["object"].(map[string]any)["id"] = rm.URL + "/accounts/someone"
	})
	forged := edit(t, rm.delivery(i1ToI2+"09-update-person", host1), func(m map[string]any) { m["actor"] = rm.URL + "/accounts/peertube" })
	e.applied(t, unknown, forged)
	if got := rm.fetched(); len(got) != 0 {
		t.Errorf("fetched %v", got)
	}
}
