package api

import (
	"context"
	"testing"

	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/problem"
)

func TestQuotaCountsTheLargestFileOfEachVideo(t *testing.T) {
	e := newEnv(t)
	root := e.login("root", rootPassword)
	tok := e.createUser(root, "rita")
	ctx := context.Background()
	u, _ := e.st.UserByUsername(ctx, "rita")
	u.VideoQuota, u.VideoQuotaDaily = 10_000, 6_000
	if _, err := e.st.UpdateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	v := e.storedVideo(t, "rita", model.PrivacyPublic)
	if _, err := e.st.ModifyVideo(ctx, v.ID, func(x *model.Video) error {
		x.Files = []model.VideoFile{{Size: 3000, Filename: "a-720.mp4"}, {Size: 1000, Filename: "a-240.mp4"}}
		x.HLS = &model.StreamingPlaylist{Files: []model.VideoFile{{Size: 3500, Filename: "a-720-fragmented.mp4"}}}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if q := e.do("GET", "/api/v1/users/me/video-quota-used", nil, tok).json(t); q["videoQuotaUsed"] != float64(3500) || q["videoQuotaUsedDaily"] != float64(3500) {
		t.Fatalf("quota used %v", q)
	}
	if err := e.api.checkQuota(ctx, &u, 2500); err != nil {
		t.Fatalf("2500 more bytes fit the daily 6000: %v", err)
	}
	err := e.api.checkQuota(ctx, &u, 2501)
	p := problem.As(err)
	if p == nil || p.Status != 413 || p.Headers["X-File-Maximum-Size"] != "2500" {
		t.Fatalf("over the daily quota: %v", err)
	}
	u.VideoQuotaDaily = -1
	if err := e.api.checkQuota(ctx, &u, 6500); err != nil {
		t.Fatalf("6500 fit the total 10000: %v", err)
	}
	if p := problem.As(e.api.checkQuota(ctx, &u, 6501)); p == nil || p.Headers["X-File-Maximum-Size"] != "6500" {
		t.Fatalf("over the total quota: %v", p)
	}
}
