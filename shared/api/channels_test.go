package api

import (
	"fmt"
	"sync"
	"testing"

	"github.com/vidiverse/vidiverse/shared/config"
	"github.com/vidiverse/vidiverse/shared/reftest"
)

func TestChannelLifecycle(t *testing.T) {
	e := newEnv(t)
	root := e.login("root", rootPassword)
	r := e.do("POST", "/api/v1/video-channels", map[string]any{"name": "second_channel", "displayName": "Second channel",
		"description": "A second channel owned by root.", "support": "Support text for the second channel"}, root)
	if r.status != 200 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	reftest.ShapeEqual(t, r.body, reftest.REST(t, "api-video-channels-create-response.json"), true, nil)

	one := e.do("GET", "/api/v1/video-channels/second_channel", nil, "")
	reftest.ShapeEqual(t, one.body, reftest.REST(t, "rest-video-channel-second_channel.json"), true, nil)
	// name@host of this instance is the same channel.
	if r := e.do("GET", "/api/v1/video-channels/second_channel@"+e.cfg.Host(), nil, ""); r.status != 200 {
		t.Fatalf("handle with host: %d", r.status)
	}
	list := e.do("GET", "/api/v1/video-channels", nil, "")
	reftest.ShapeEqual(t, list.body, reftest.REST(t, "rest-video-channels.json"), true, nil)
	data := list.json(t)["data"].([]any)
	if data[0].(map[string]any)["name"] != "second_channel" {
		t.Fatalf("default sort is -createdAt: %v", data)
	}
	ofRoot := e.do("GET", "/api/v1/accounts/root/video-channels", nil, "")
	reftest.ShapeEqual(t, ofRoot.body, reftest.REST(t, "rest-account-root-video-channels.json"), true, nil)
	byName := e.do("GET", "/api/v1/accounts/root/video-channels?sort=name", nil, "")
	if byName.json(t)["data"].([]any)[0].(map[string]any)["name"] != "root_channel" {
		t.Fatalf("sort=name: %s", byName.body)
	}

	r = e.do("PUT", "/api/v1/video-channels/second_channel", map[string]any{"displayName": "Renamed", "support": nil}, root)
	if r.status != 204 || r.header.Get("Content-Type") != "application/json; charset=utf-8" {
		t.Fatalf("update: %d %v %s", r.status, r.header, r.body)
	}
	got := e.do("GET", "/api/v1/video-channels/second_channel", nil, "").json(t)
	if got["displayName"] != "Renamed" || got["support"] != nil || got["description"] != "A second channel owned by root." {
		t.Fatalf("after update %v", got)
	}

	other := e.createUser(root, "eve")
	wantProblem(t, e.do("PUT", "/api/v1/video-channels/second_channel", map[string]any{"displayName": "Mine"}, other),
		403, "", "User eve does not have right this channel or account.")
	wantProblem(t, e.do("DELETE", "/api/v1/video-channels/second_channel", nil, other), 403, "", "")
	wantProblem(t, e.do("POST", "/api/v1/video-channels", map[string]any{"name": "eve", "displayName": "Eve"}, other),
		409, "", "Another actor (account/channel) with this name on this instance already exists or has already existed.")

	if r := e.do("DELETE", "/api/v1/video-channels/second_channel", nil, root); r.status != 204 {
		t.Fatalf("delete: %d %s", r.status, r.body)
	}
	wantProblem(t, e.do("GET", "/api/v1/video-channels/second_channel", nil, ""), 404, "", "Video channel not found")
	wantProblem(t, e.do("DELETE", "/api/v1/video-channels/root_channel", nil, root), 409, "",
		"Cannot remove the last channel of this user")
}

func TestChannelLimitHoldsUnderConcurrency(t *testing.T) {
	e := newEnv(t, func(c *config.Config) { c.MaxChannelsPerUser = 3 })
	tok := e.createUser(e.login("root", rootPassword), "frank")
	var wg sync.WaitGroup
	statuses := make([]int, 6)
	for i := range statuses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i] = e.do("POST", "/api/v1/video-channels",
				map[string]any{"name": fmt.Sprintf("frank_ch%d", i), "displayName": "Ch"}, tok).status
		}()
	}
	wg.Wait()
	created := 0
	for _, s := range statuses {
		switch s {
		case 200:
			created++
		case 400:
		default:
			t.Fatalf("unexpected status %d", s)
		}
	}
	// Frank had his default channel: two more fit under a limit of three.
	if created != 2 {
		t.Fatalf("%d channels created concurrently, want 2 (statuses %v)", created, statuses)
	}
	wantProblem(t, e.do("POST", "/api/v1/video-channels", map[string]any{"name": "frank_more", "displayName": "More"}, tok),
		400, "", "You cannot create more than 3 channels")
}

func TestAccounts(t *testing.T) {
	e := newEnv(t)
	r := e.do("GET", "/api/v1/accounts/root", nil, "")
	reftest.ShapeEqual(t, r.body, reftest.REST(t, "rest-account-root.json"), true, nil)
	missing := e.do("GET", "/api/v1/accounts/nobody", nil, "")
	if string(missing.body) != string(reftest.REST(t, "rest-account-missing.json"))+"\n" {
		t.Errorf("missing account body differs from PeerTube's:\n got %s\nwant %s", missing.body, reftest.REST(t, "rest-account-missing.json"))
	}
	wantProblem(t, e.do("GET", "/api/v1/accounts/root@elsewhere.example", nil, ""), 404, "", "Account not found")
	list := e.do("GET", "/api/v1/accounts?sort=createdAt", nil, "").json(t)
	data := list["data"].([]any)
	if list["total"].(float64) != 2 || data[0].(map[string]any)["name"] != "peertube" {
		t.Fatalf("accounts %v", list)
	}
	if _, has := data[0].(map[string]any)["userId"]; has {
		t.Fatal("the instance actor's account has no userId")
	}
}
