package serverconfig

import "github.com/vidiverse/vidiverse/shared/config"

// FromConfig returns the public settings of an instance configured with
// cfg, as /api/v1/config and NodeInfo report them.
func FromConfig(cfg config.Config) Settings {
	s := DefaultSettings()
	s.Instance.Name = cfg.InstanceName
	s.Instance.ShortDescription = cfg.InstanceShortDescription
	s.Signup.Enabled = cfg.SignupEnabled
	s.Signup.RequiresApproval = cfg.SignupRequiresApproval
	s.Signup.RequiresEmailVerification = false
	s.Signup.Limit = -1
	s.UserVideoQuota = cfg.UserVideoQuota
	s.UserVideoQuotaDaily = cfg.UserVideoQuotaDaily
	s.MaxChannelsPerUser = cfg.MaxChannelsPerUser
	s.Transcoding.Resolutions = cfg.Resolutions
	return s
}
