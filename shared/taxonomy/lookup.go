package taxonomy

import (
	"slices"
	"strconv"
)

// unknownLabel is the label PeerTube gives an id missing from its table.
const unknownLabel = "Unknown"

// languageIndex maps a language code to its label.
var languageIndex = func() map[string]string {
	m := make(map[string]string, len(languages))
	for _, l := range languages {
		m[l.Code] = l.Label
	}
	return m
}()

// Categories returns the body of GET /api/v1/videos/categories.
func Categories() Table { return slices.Clone(categories) }

// Licences returns the body of GET /api/v1/videos/licences.
func Licences() Table { return slices.Clone(licences) }

// Languages returns the body of GET /api/v1/videos/languages.
func Languages() LangTable { return slices.Clone(languages) }

// Privacies returns the body of GET /api/v1/videos/privacies.
func Privacies() Table { return slices.Clone(privacies) }

// States returns the video states.
func States() Table { return slices.Clone(states) }

// PlaylistPrivacies returns the playlist privacies.
func PlaylistPrivacies() Table { return slices.Clone(playlistPrivacies) }

// PlaylistTypes returns the playlist types.
func PlaylistTypes() Table { return slices.Clone(playlistTypes) }

// CommentsPolicies returns the comment policies.
func CommentsPolicies() Table { return slices.Clone(commentsPolicies) }

// Roles returns the user roles.
func Roles() Table { return slices.Clone(roles) }

// CategoryLabel returns the label of a video category.
func CategoryLabel(id int) (string, bool) { return categories.Label(id) }

// LicenceLabel returns the label of a video licence.
func LicenceLabel(id int) (string, bool) { return licences.Label(id) }

// LanguageLabel returns the label of a video language code.
func LanguageLabel(code string) (string, bool) {
	l, ok := languageIndex[code]
	return l, ok
}

// PrivacyLabel returns the label of a video privacy.
func PrivacyLabel(id int) (string, bool) { return privacies.Label(id) }

// StateLabel returns the label of a video state.
func StateLabel(id int) (string, bool) { return states.Label(id) }

// PlaylistPrivacyLabel returns the label of a playlist privacy.
func PlaylistPrivacyLabel(id int) (string, bool) { return playlistPrivacies.Label(id) }

// PlaylistTypeLabel returns the label of a playlist type.
func PlaylistTypeLabel(id int) (string, bool) { return playlistTypes.Label(id) }

// CommentsPolicyLabel returns the label of a comment policy.
func CommentsPolicyLabel(id int) (string, bool) { return commentsPolicies.Label(id) }

// RoleLabel returns the label of a user role.
func RoleLabel(id int) (string, bool) { return roles.Label(id) }

// Category returns the {id,label} of a video category; a nil or unknown id
// gets the label "Unknown", as in PeerTube.
func Category(id *int) OptIDLabel {
	if id == nil {
		return OptIDLabel{Label: unknownLabel}
	}
	v := *id
	return OptIDLabel{ID: &v, Label: orUnknown(categories.Label(v))}
}

// Licence returns the {id,label} of a video licence; a nil or unknown id
// gets the label "Unknown".
func Licence(id *int) OptIDLabel {
	if id == nil {
		return OptIDLabel{Label: unknownLabel}
	}
	v := *id
	return OptIDLabel{ID: &v, Label: orUnknown(licences.Label(v))}
}

// Language returns the {id,label} of a video language; a nil or unknown
// code gets the label "Unknown".
func Language(code *string) LangLabel {
	if code == nil {
		return LangLabel{Label: unknownLabel}
	}
	v := *code
	return LangLabel{ID: &v, Label: orUnknown(LanguageLabel(v))}
}

// Privacy returns the {id,label} of a video privacy.
func Privacy(id int) IDLabel { return IDLabel{ID: id, Label: orUnknown(privacies.Label(id))} }

// State returns the {id,label} of a video state.
func State(id int) IDLabel { return IDLabel{ID: id, Label: orUnknown(states.Label(id))} }

// PlaylistPrivacy returns the {id,label} of a playlist privacy.
func PlaylistPrivacy(id int) IDLabel {
	return IDLabel{ID: id, Label: orUnknown(playlistPrivacies.Label(id))}
}

// PlaylistType returns the {id,label} of a playlist type.
func PlaylistType(id int) IDLabel { return IDLabel{ID: id, Label: orUnknown(playlistTypes.Label(id))} }

// CommentsPolicy returns the {id,label} of a comment policy.
func CommentsPolicy(id int) IDLabel {
	return IDLabel{ID: id, Label: orUnknown(commentsPolicies.Label(id))}
}

// Role returns the {id,label} of a user role.
func Role(id int) IDLabel { return IDLabel{ID: id, Label: orUnknown(roles.Label(id))} }

// ResolutionLabel returns PeerTube's label of a video resolution (a frame
// height): "Audio" for 0 (audio only), otherwise e.g. "720p".
func ResolutionLabel(height int) string {
	if height == 0 {
		return "Audio"
	}
	return strconv.Itoa(height) + "p"
}

// Resolution returns the {id,label} of a video file resolution.
func Resolution(height int) IDLabel { return IDLabel{ID: height, Label: ResolutionLabel(height)} }

func orUnknown(label string, ok bool) string {
	if !ok {
		return unknownLabel
	}
	return label
}
