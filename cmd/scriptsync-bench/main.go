// Command scriptsync-bench measures scriptsync on W(n), the generated
// library of internal/workload: n scenes in scripts of 50, an embedding per
// scene, a bible per season of ten scripts, an agent.
//
//	go run ./cmd/scriptsync-bench -n 10000
//	go run ./cmd/scriptsync-bench -n 10000 -postgres auto
//	go run ./cmd/scriptsync-bench -n 100000 -runs 1 -keep /tmp/w100k
//
// It builds the scriptsync binary, generates W(n) into a temporary
// directory and runs, each in a fresh process as a user would:
//
//   - cold apply: apply -auto-approve on empty backends;
//   - no-op plan: plan, which finds nothing to do;
//   - the same without the digest cache (SCRIPTSYNC_CACHE_DIR=off), as a
//     fresh clone of the configuration in CI has none;
//   - no-op apply: apply -auto-approve, which finds nothing to do;
//   - one-scene edit: one scene of one script rewritten (its text and its
//     vector), then plan and apply;
//   - one-scene add: a scene appended to that script, with its vector,
//     then plan and apply;
//   - one-scene edit, saved: another scene of that script rewritten, then
//     plan -out=FILE and apply FILE, as a pull request's CI job and its
//     merge's do;
//   - one-script delete: one script and its embeddings taken out of the
//     configuration, then apply.
//
// For each it reports the wall time and the peak resident memory of the
// process (VmHWM, read from /proc while it runs), and prints a table. With -runs N it
// repeats everything on N fresh libraries and reports the median (and the
// range). The backends are the embedded defaults (SQLite, a local bare git
// repository and its LFS store), or, with -postgres, a PostgreSQL database:
// "auto" starts a throwaway cluster (needs the server binaries, as the
// tests do), anything else is the DSN of a user allowed to create
// databases, on which each run creates and drops its own.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"scriptsync/internal/pgcluster"
	"scriptsync/internal/workload"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "scriptsync-bench:", err)
		os.Exit(1)
	}
}

type options struct {
	n        int
	seed     uint64
	runs     int
	postgres string
	keep     string
	bin      string
}

func run() error {
	var o options
	flag.IntVar(&o.n, "n", 10000, "number of scenes: W(n)")
	flag.Uint64Var(&o.seed, "seed", 1, "generator seed")
	flag.IntVar(&o.runs, "runs", 1, "repeat on this many fresh libraries and report medians")
	flag.StringVar(&o.postgres, "postgres", "", `run on PostgreSQL: "auto" (a throwaway cluster) or the DSN of a user allowed to create databases`)
	flag.StringVar(&o.keep, "keep", "", "generate into `DIR` (empty or missing) and keep it afterwards")
	flag.StringVar(&o.bin, "bin", "", "use this scriptsync binary instead of building one")
	flag.Parse()
	if flag.NArg() > 0 || o.n < 1 || o.runs < 1 {
		flag.Usage()
		return errors.New("bad arguments")
	}

	tmp, err := os.MkdirTemp("", "scriptsync-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if o.bin == "" {
		o.bin = filepath.Join(tmp, "scriptsync")
		fmt.Fprintf(os.Stderr, "building scriptsync...\n")
		if err := build(o.bin); err != nil {
			return err
		}
	}

	var pg *pgcluster.Cluster
	switch o.postgres {
	case "":
	case "auto":
		fmt.Fprintf(os.Stderr, "starting a throwaway PostgreSQL cluster...\n")
		if pg, err = pgcluster.Start(os.Getenv("SCRIPTSYNC_TEST_POSTGRES_BIN")); err != nil {
			return err
		}
		defer pg.Stop()
	default:
		pg = pgcluster.External(o.postgres)
	}

	load, press := loadAverage(), pressure()
	var results [][]step
	var w *workload.Workload
	var genTime time.Duration
	for r := 0; r < o.runs; r++ {
		dir := filepath.Join(tmp, fmt.Sprintf("run%d", r+1))
		if o.keep != "" {
			dir = o.keep
			if o.runs > 1 {
				dir = filepath.Join(o.keep, fmt.Sprintf("run%d", r+1))
			}
		}
		opts := workload.Options{Scenes: o.n, Seed: o.seed}
		var db string
		if pg != nil {
			db = fmt.Sprintf("scriptsync_bench_%d_%d", os.Getpid(), r+1)
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			dsn, err := pg.CreateDatabase(ctx, db)
			cancel()
			if err != nil {
				return err
			}
			opts.SQLDriver, opts.SQLDSN = "postgres", dsn
		}
		fmt.Fprintf(os.Stderr, "run %d/%d: generating W(%d) in %s...\n", r+1, o.runs, o.n, dir)
		start := time.Now()
		w, err = workload.Generate(dir, opts)
		if err != nil {
			return err
		}
		genTime = time.Since(start)
		steps, err := scenario(o.bin, w)
		if pg != nil {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			if derr := pg.DropDatabase(ctx, db); derr != nil && err == nil {
				err = derr
			}
			cancel()
		}
		if err != nil {
			return err
		}
		results = append(results, steps)
		if o.keep == "" {
			os.RemoveAll(dir)
		}
	}

	backends := "SQLite, local bare git repository, local LFS store"
	if pg != nil {
		backends = "PostgreSQL 15 (" + map[bool]string{true: "throwaway cluster, fsync off", false: "given server"}[o.postgres == "auto"] + "), local bare git repository, local LFS store"
	}
	fmt.Printf("W(%d): %d scenes in %d scripts, %d seasons; %d files, %.1f MB, generated in %.1f s\n",
		o.n, o.n, w.Scripts(), w.Seasons(), w.Files(), float64(w.Bytes())/1e6, genTime.Seconds())
	fmt.Printf("backends: %s\n", backends)
	fmt.Printf("machine: %d CPUs, %s/%s, %s; load average before: %s, after: %s\n", runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version(), load, loadAverage())
	fmt.Printf("stalled on CPU/IO (PSI some, 5-minute average): before %s, after %s\n", press, pressure())
	fmt.Printf("command: go run ./cmd/scriptsync-bench %s\n", strings.Join(os.Args[1:], " "))
	if o.runs > 1 {
		fmt.Printf("figures: median of %d runs (min-max)\n", o.runs)
	}
	fmt.Println()
	printTable(os.Stdout, results)
	return nil
}

// step is one measured command.
type step struct {
	name   string
	wall   time.Duration
	rss    int64 // bytes
	result string
}

// scenario runs the measured commands on a generated library.
func scenario(bin string, w *workload.Workload) ([]step, error) {
	var steps []step
	var env []string
	measure := func(name string, wantCode int, args ...string) error {
		s, err := runScriptsync(bin, w.Dir, wantCode, env, args...)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		s.name = name
		steps = append(steps, s)
		return nil
	}
	if err := measure("cold apply", 0, "apply", "-auto-approve"); err != nil {
		return nil, err
	}
	if err := measure("no-op plan", 0, "plan", "-detailed-exitcode"); err != nil {
		return nil, err
	}
	// The CI case: a fresh clone of the configuration has no digest cache,
	// so every input is read and hashed.
	env = []string{"SCRIPTSYNC_CACHE_DIR=off"}
	if err := measure("no-op plan, no cache (CI)", 0, "plan", "-detailed-exitcode"); err != nil {
		return nil, err
	}
	env = nil
	if err := measure("no-op apply", 0, "apply", "-auto-approve"); err != nil {
		return nil, err
	}

	// Edit a scene in the middle of a script in the middle of the library.
	script := w.Scripts() / 2
	if err := w.EditScene(script, 25%workload.ScenesPerScript+1); err != nil {
		return nil, err
	}
	if err := measure("one-scene edit: plan", 2, "plan", "-detailed-exitcode"); err != nil {
		return nil, err
	}
	if err := measure("one-scene edit: apply", 0, "apply", "-auto-approve"); err != nil {
		return nil, err
	}

	// A scene added at the end of the same script, with its vector: new
	// objects in every backend.
	if err := w.AddScene(script); err != nil {
		return nil, err
	}
	if err := measure("one-scene add: plan", 2, "plan", "-detailed-exitcode"); err != nil {
		return nil, err
	}
	if err := measure("one-scene add: apply", 0, "apply", "-auto-approve"); err != nil {
		return nil, err
	}

	// Another scene edited, through a saved plan.
	if err := w.EditScene(script, 75%workload.ScenesPerScript+1); err != nil {
		return nil, err
	}
	saved := filepath.Join(w.Dir, ".scriptsync", "bench.plan")
	if err := measure("one-scene edit: plan -out", 2, "plan", "-detailed-exitcode", "-out="+saved); err != nil {
		return nil, err
	}
	if err := measure("one-scene edit: apply FILE", 0, "apply", saved); err != nil {
		return nil, err
	}

	// Delete a script that does not carry its season's bible.
	victim := w.Scripts() - 1
	if w.Scripts() > 1 && victim%workload.ScriptsPerSeason == 0 {
		victim--
	}
	if err := w.DeleteScript(victim); err != nil {
		return nil, err
	}
	if err := measure("one-script delete: apply", 0, "apply", "-auto-approve"); err != nil {
		return nil, err
	}
	// Not measured: the library and the backends agree again.
	if _, err := runScriptsync(bin, w.Dir, 0, nil, "plan", "-detailed-exitcode"); err != nil {
		return nil, fmt.Errorf("plan after the delete: %w", err)
	}
	return steps, nil
}

var summaryRE = regexp.MustCompile(`(?m)^(?:Plan: (.*)\.|Apply complete! Resources: (.*)\.|(No changes)\.)`)

// runScriptsync runs scriptsync in a fresh process and measures it.
func runScriptsync(bin, dir string, wantCode int, env []string, args ...string) (step, error) {
	cmd := exec.Command(bin, append([]string{"-no-color", "-chdir=" + dir}, args...)...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.Env = append(append(os.Environ(), "NO_COLOR=1"), env...)
	start := time.Now()
	err := cmd.Start()
	var hwm int64
	var polled sync.WaitGroup
	stop := make(chan struct{})
	if err == nil {
		polled.Add(1)
		go func() {
			defer polled.Done()
			hwm = watchHWM(cmd.Process.Pid, stop)
		}()
		err = cmd.Wait()
	}
	wall := time.Since(start)
	close(stop)
	polled.Wait()
	var ee *exec.ExitError
	code := 0
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		return step{}, err
	}
	if code != wantCode {
		return step{}, fmt.Errorf("scriptsync %s: exit %d, want %d\n%s", strings.Join(args, " "), code, wantCode, tail(out.String(), 3000))
	}
	s := step{wall: wall, rss: hwm}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok && hwm == 0 {
		s.rss = int64(ru.Maxrss) * 1024 // kilobytes on Linux
	}
	for _, m := range summaryRE.FindAllStringSubmatch(out.String(), -1) {
		s.result = strings.TrimSpace(m[1] + m[2] + m[3])
	}
	return s, nil
}

// watchHWM returns the child's peak resident memory, VmHWM in
// /proc/PID/status, read every few milliseconds until stop (0 where there
// is no /proc). Not ru_maxrss: a child that Go starts shares this process's
// memory until it execs, and its ru_maxrss keeps this process's peak,
// which after generating W(100,000) is larger than a no-op plan's.
func watchHWM(pid int, stop <-chan struct{}) int64 {
	path := fmt.Sprintf("/proc/%d/status", pid)
	var peak int64
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	for {
		if data, err := os.ReadFile(path); err == nil {
			for _, line := range strings.Split(string(data), "\n") {
				if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
					var kb int64
					if _, err := fmt.Sscan(strings.TrimSuffix(strings.TrimSpace(v), " kB"), &kb); err == nil && kb*1024 > peak {
						peak = kb * 1024
					}
				}
			}
		}
		select {
		case <-stop:
			return peak
		case <-tick.C:
		}
	}
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}

// printTable prints one row per step: the median over the runs, and the
// range when there are several.
func printTable(w io.Writer, results [][]step) {
	fmt.Fprintf(w, "| %-26s | %-17s | %-19s | %s |\n", "step", "wall time", "peak RSS", "result")
	fmt.Fprintf(w, "|%s|%s|%s|%s|\n", strings.Repeat("-", 28), strings.Repeat("-", 19), strings.Repeat("-", 21), strings.Repeat("-", 8))
	for i := range results[0] {
		var walls []time.Duration
		var rss []int64
		for _, r := range results {
			walls = append(walls, r[i].wall)
			rss = append(rss, r[i].rss)
		}
		slices.Sort(walls)
		slices.Sort(rss)
		wall := fmt.Sprintf("%.2f s", walls[len(walls)/2].Seconds())
		mem := fmt.Sprintf("%d MB", rss[len(rss)/2]>>20)
		if len(results) > 1 {
			wall += fmt.Sprintf(" (%.2f-%.2f)", walls[0].Seconds(), walls[len(walls)-1].Seconds())
			mem += fmt.Sprintf(" (%d-%d)", rss[0]>>20, rss[len(rss)-1]>>20)
		}
		fmt.Fprintf(w, "| %-26s | %-17s | %-19s | %s |\n", results[0][i].name, wall, mem, results[0][i].result)
	}
}

// build compiles the scriptsync binary of the module the command runs in.
func build(out string) error {
	root, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}").Output()
	if err != nil {
		return fmt.Errorf("find the module: %w", err)
	}
	cmd := exec.Command("go", "build", "-o", out, ".")
	cmd.Dir = strings.TrimSpace(string(root))
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build: %w", err)
	}
	return nil
}

// pressure is the share of time some task waited for a CPU, and for I/O,
// over the last five minutes (Linux's pressure stall information): how
// much else the machine had to do while the bench ran.
func pressure() string {
	var out []string
	for _, r := range []string{"cpu", "io"} {
		b, err := os.ReadFile("/proc/pressure/" + r)
		if err != nil {
			return "unknown"
		}
		line, _, _ := strings.Cut(string(b), "\n")
		v := "?"
		for _, f := range strings.Fields(line) {
			if a, ok := strings.CutPrefix(f, "avg300="); ok {
				v = a + "%"
			}
		}
		out = append(out, v)
	}
	return strings.Join(out, "/")
}

func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
