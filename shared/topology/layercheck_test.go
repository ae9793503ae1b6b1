package topology_test

// The layer rules of the template checker: a function that runs ffmpeg
// gets it from an arm64 layer, and finds it where the layer puts it.

import (
	"slices"
	"strings"
)

// layerKinds are the resource types a function's Layers may !Ref.
var layerKinds = []string{"AWS::Serverless::LayerVersion", "AWS::Lambda::LayerVersion"}

func checkLayers(r *report, resources map[string]any, typeOf func(string) string, want stack) {
	for id := range resources {
		if slices.Contains(layerKinds, typeOf(id)) {
			archs := strs(path(resources, id, "Properties", "CompatibleArchitectures"))
			if len(archs) != 1 || archs[0] != "arm64" {
				r.add("layer %s: CompatibleArchitectures must be [arm64] (every function runs on arm64), got %v", id, archs)
			}
		}
	}
	for _, fn := range want.FFmpeg {
		props := path(resources, fn, "Properties")
		if props == nil {
			continue // reported as a missing function
		}
		layered := false
		for _, l := range list(path(props, "Layers")) {
			if id := ref(l); id != "" && slices.Contains(layerKinds, typeOf(id)) {
				layered = true
			}
		}
		if !layered {
			r.add("%s runs ffmpeg but has no Layers entry that !Refs a layer version in template.yaml", fn)
		}
		vars := path(props, "Environment", "Variables")
		for _, name := range []string{"FFMPEG_PATH", "FFPROBE_PATH"} {
			if v := str(path(vars, name)); !strings.HasPrefix(v, "/opt/") {
				r.add("%s: %s must name the layer's binary under /opt, got %q", fn, name, v)
			}
		}
	}
}

// list returns a YAML sequence's elements (nil for anything else).
func list(v any) []any {
	l, _ := v.([]any)
	return l
}
