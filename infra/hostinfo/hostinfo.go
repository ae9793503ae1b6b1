// Package hostinfo describes the machine a benchmark runs on, for the
// reports of make bench and make bench-p2p: CPU model, cores, kernel,
// memory and load average (shared machines are noisy, so every report
// says how loaded its machine was).
package hostinfo

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
)

// Machine describes this machine: CPU model, cores, kernel, memory and
// the load average now ("… at start": reports call it when a run starts).
func Machine() string {
	cpu := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				cpu = strings.TrimSpace(v)
				break
			}
		}
	}
	parts := []string{cpu, fmt.Sprintf("%d cores", runtime.NumCPU())}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		parts = append(parts, "Linux "+strings.TrimSpace(string(b)))
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if rest, ok := strings.CutPrefix(line, "MemTotal:"); ok {
				if f := strings.Fields(rest); len(f) == 2 {
					if kb, err := strconv.ParseFloat(f[0], 64); err == nil {
						parts = append(parts, fmt.Sprintf("%.1f GiB RAM", kb/(1<<20)))
					}
				}
			}
		}
	}
	if load := LoadAverage(); load != "" {
		parts = append(parts, "load average "+load+" at start")
	}
	return strings.Join(parts, ", ")
}

// LoadAverage is the 1-minute load average, "" when unknown.
func LoadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	if f := strings.Fields(string(b)); len(f) > 0 {
		return f[0]
	}
	return ""
}
