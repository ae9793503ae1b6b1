package hostinfo

import (
	"runtime"
	"strconv"
	"strings"
	"testing"
)

func TestMachineNamesCoresAndLoad(t *testing.T) {
	m := Machine()
	if !strings.Contains(m, strconv.Itoa(runtime.NumCPU())+" cores") {
		t.Fatalf("Machine() = %q lacks the core count", m)
	}
	if load := LoadAverage(); load != "" {
		if _, err := strconv.ParseFloat(load, 64); err != nil || !strings.Contains(m, "load average "+load) {
			t.Fatalf("load average %q, machine %q", load, m)
		}
	}
}
