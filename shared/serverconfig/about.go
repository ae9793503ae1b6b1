package serverconfig

import "slices"

// ServerConfigAbout is the body of GET /api/v1/config/about in PeerTube
// 6.1's shape (packages/models/src/server/about.model.ts).
type ServerConfigAbout struct {
	Instance AboutInstance `json:"instance"`
}

// AboutInstance is the instance's about page.
type AboutInstance struct {
	Name                  string       `json:"name"`
	ShortDescription      string       `json:"shortDescription"`
	Description           string       `json:"description"`
	Terms                 string       `json:"terms"`
	CodeOfConduct         string       `json:"codeOfConduct"`
	HardwareInformation   string       `json:"hardwareInformation"`
	CreationReason        string       `json:"creationReason"`
	ModerationInformation string       `json:"moderationInformation"`
	Administrator         string       `json:"administrator"`
	MaintenanceLifetime   string       `json:"maintenanceLifetime"`
	BusinessModel         string       `json:"businessModel"`
	Languages             []string     `json:"languages"`
	Categories            []int        `json:"categories"`
	Banners               []ActorImage `json:"banners"`
	Avatars               []ActorImage `json:"avatars"`
}

// About builds the body of GET /api/v1/config/about from s.
func About(s Settings) ServerConfigAbout {
	i := s.Instance
	return ServerConfigAbout{Instance: AboutInstance{
		Name:                  i.Name,
		ShortDescription:      i.ShortDescription,
		Description:           i.Description,
		Terms:                 i.Terms,
		CodeOfConduct:         i.CodeOfConduct,
		HardwareInformation:   i.HardwareInformation,
		CreationReason:        i.CreationReason,
		ModerationInformation: i.ModerationInformation,
		Administrator:         i.Administrator,
		MaintenanceLifetime:   i.MaintenanceLifetime,
		BusinessModel:         i.BusinessModel,
		Languages:             nonNil(slices.Clone(i.Languages)),
		Categories:            nonNil(slices.Clone(i.Categories)),
		Banners:               nonNil(slices.Clone(i.Banners)),
		Avatars:               nonNil(slices.Clone(i.Avatars)),
	}}
}
