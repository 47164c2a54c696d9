//! One render over many machines: `reel plan --json` lists the work units,
//! `--shard I/N` renders a deterministic share of them into the cache, and
//! a plain render joins. Shards may run twice at once or be killed: the
//! join is still byte-identical to a render on one machine.

use crate::common::*;
use serde_json::Value;

fn edl(f: &Fixture) {
    f.ffmpeg("-f lavfi -i testsrc2=s=96x54:r=25:d=30 -f lavfi -i sine=f=300:d=30 -c:v libx264 -g 25 -c:a aac a.mp4");
    f.write(
        "t.toml",
        &edl!(
            r#"
            [output]
            path = "out.mp4"
            width = 64
            height = 36
            fps = 25
            [defaults]
            transition = {{ kind = "crossfade", duration = 0.4 }}
            [[clip]]
            source = "a.mp4"
            in = 0
            duration = 7
            [[clip]]
            source = "a.mp4"
            in = 8
            duration = 7
            speed = 1.5
            [[clip]]
            source = "a.mp4"
            in = 20
            duration = 7
            [[clip]]
            source = "a.mp4"
            in = 1
            duration = 7
            reverse = true
            "#
        ),
    );
}

/// A cold render without the cache, for comparison.
fn single(f: &Fixture) -> Vec<u8> {
    f.reel_ok(&[
        "render",
        "--quiet",
        "--no-cache",
        "-o",
        "single.mp4",
        "t.toml",
    ]);
    std::fs::read(f.path("single.mp4")).unwrap()
}

/// The join: a plain render from the cache; returns its summary line.
fn join(f: &Fixture) -> String {
    let out = f.reel_ok_output(&["render", "t.toml"]);
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn units(f: &Fixture, shards: &str) -> Vec<Value> {
    let out = f.reel_ok_output(&["plan", "t.toml", "--json", "--shards", shards]);
    let doc: Value = serde_json::from_slice(&out.stdout).expect("plan prints JSON");
    doc["units"].as_array().unwrap().clone()
}

#[test]
fn shards_render_every_unit_once_and_the_join_equals_one_machine() {
    let f = Fixture::new();
    edl(&f);
    let cold = single(&f);
    let list = units(&f, "3");
    // Every segment, in order and tiling the timeline, then the audio.
    let n = list.len();
    assert!(n >= 4, "{n} units");
    let mut at = 0;
    for u in &list[..n - 1] {
        assert_eq!(u["kind"], "segment");
        assert_eq!(u["frames"][0].as_u64(), Some(at));
        at = u["frames"][1].as_u64().unwrap();
        assert!(u["key"].as_str().is_some_and(|k| k.len() == 40));
        assert!(u["cost"].as_u64().unwrap() > 0);
    }
    assert_eq!(list[n - 1]["kind"], "audio");
    assert_eq!(list[n - 1]["frames"][1].as_u64(), Some(at));
    // The same split every time, on every machine.
    assert_eq!(list, units(&f, "3"));
    for i in 0..3 {
        let out = f.reel_ok_output(&["render", "--shard", &format!("{i}/3"), "t.toml"]);
        let err = String::from_utf8_lossy(&out.stderr);
        let mine = list.iter().filter(|u| u["shard"] == i).count();
        assert!(
            err.contains(&format!("{mine} work units, {mine} rendered")),
            "{err}"
        );
    }
    assert!(!f.path("out.mp4").exists(), "a shard wrote the output");
    // Every unit is in the cache: the join renders nothing.
    let summary = join(&f);
    let segments = n - 1;
    assert!(
        summary.contains(&format!(
            "reused {segments} of {segments} segments, audio reused"
        )),
        "{summary}"
    );
    assert!(
        std::fs::read(f.path("out.mp4")).unwrap() == cold,
        "the join differs from one machine's render"
    );
}

#[test]
fn shards_run_twice_at_once_or_killed_still_join_byte_identical() {
    let f = Fixture::new();
    edl(&f);
    let cold = single(&f);
    // The same shard twice, at the same time.
    let spawn = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_reel"))
            .args(["render", "--quiet", "--shard", "0/1", "t.toml"])
            .current_dir(f.path(""))
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (spawn(), spawn());
    for shard in [a, b] {
        assert_success(
            &shard.wait_with_output().unwrap(),
            "reel render --shard 0/1",
        );
    }
    join(&f);
    assert!(
        std::fs::read(f.path("out.mp4")).unwrap() == cold,
        "after concurrent shards"
    );

    // A shard killed while it writes an entry, then run again.
    let f = Fixture::new();
    f.slow_render_edl();
    let (mut child, torn) = f.start_until_writing(&[
        "render", "--quiet", "--jobs", "1", "--shard", "0/2", "t.toml",
    ]);
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(torn.exists(), "the killed shard left its partial entry");
    for i in 0..2 {
        f.reel_ok(&["render", "--quiet", "--shard", &format!("{i}/2"), "t.toml"]);
    }
    join(&f);
    f.reel_ok(&[
        "render",
        "--quiet",
        "--no-cache",
        "-o",
        "single.mp4",
        "t.toml",
    ]);
    assert!(
        std::fs::read(f.path("out.mp4")).unwrap() == std::fs::read(f.path("single.mp4")).unwrap(),
        "after a killed shard"
    );
}

#[test]
fn bad_shards_are_usage_errors() {
    let f = Fixture::new();
    edl(&f);
    for bad in ["3/3", "1", "a/2", "0/0", "-1/2"] {
        let out = f.reel(&["render", "--shard", bad, "t.toml"]);
        assert_eq!(out.status.code(), Some(2), "{bad}");
    }
    let out = f.reel(&["render", "--shard", "0/2", "--no-cache", "t.toml"]);
    assert_eq!(out.status.code(), Some(2));
}

/// The command line of a deploy file: its `exec reel render ...` line.
fn command_of(file: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    let line = text
        .lines()
        .find(|l| l.contains("exec reel render"))
        .unwrap_or_else(|| panic!("{file} has no reel command"));
    line.trim().trim_start_matches("- ").to_string()
}

#[test]
fn the_slurm_and_kubernetes_jobs_render_shards_that_join_to_one_render() {
    let f = Fixture::new();
    edl(&f);
    let cold = single(&f);
    // reel on the PATH, as in the jobs' images.
    let path = path_with_reel();
    let run = |script: &str, env: &[(&str, String)]| {
        let out = std::process::Command::new("sh")
            .args(["-c", script])
            .current_dir(f.path(""))
            .env("PATH", &path)
            .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
            .output()
            .unwrap();
        assert_success(&out, script);
        out
    };
    let base = |extra: &[(&'static str, String)]| {
        let mut env = vec![
            ("EDL", "t.toml".to_string()),
            ("REEL_CACHE", f.path("cache").display().to_string()),
        ];
        env.extend_from_slice(extra);
        env
    };
    // Kubernetes: the Indexed Job's shards, then the join Job.
    let shard = command_of("deploy/k8s/render-shards.yaml");
    for i in 0..3 {
        let out = run(
            &shard,
            &base(&[
                ("JOB_COMPLETION_INDEX", i.to_string()),
                ("SHARDS", "3".into()),
            ]),
        );
        // JSON progress: every line an event.
        for l in String::from_utf8_lossy(&out.stderr).lines() {
            let _: serde_json::Value =
                serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"));
        }
    }
    let join =
        command_of("deploy/k8s/render-join.yaml").replace("/work/out/report.json", "report.json");
    run(&join, &base(&[]));
    let joined = std::fs::read(f.path("out.mp4")).unwrap();
    assert!(
        joined == cold,
        "kubernetes join differs from the single render: {}",
        explain(&f.path("out.mp4"), &f.path("single.mp4"))
    );
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(f.path("report.json")).unwrap()).unwrap();
    let cache = &report["outputs"][0]["cache"];
    assert_eq!(
        cache["segments_reused"], cache["segments"],
        "the shards rendered every segment"
    );
    // Slurm: the array job's tasks, then a plain render.
    std::fs::remove_file(f.path("out.mp4")).unwrap();
    let sbatch =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/slurm/render.sbatch");
    for i in 0..2 {
        run(
            &format!("bash {} t.toml", sbatch.display()),
            &[
                ("SLURM_ARRAY_TASK_ID", i.to_string()),
                ("SLURM_ARRAY_TASK_COUNT", "2".into()),
                ("REEL_CACHE", f.path("slurm-cache").display().to_string()),
            ],
        );
    }
    run(
        "reel render --quiet t.toml",
        &[("REEL_CACHE", f.path("slurm-cache").display().to_string())],
    );
    assert!(
        std::fs::read(f.path("out.mp4")).unwrap() == cold,
        "slurm join"
    );
}

#[test]
fn the_kubernetes_manifests_are_valid() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/k8s");
    let validate = python_venv().with_file_name("kubernetes-validate");
    let out = std::process::Command::new(validate)
        .args(["--strict", "--kubernetes-version", "1.33.0"])
        .arg(dir.join("render-shards.yaml"))
        .arg(dir.join("render-join.yaml"))
        .output()
        .expect("kubernetes-validate runs");
    assert_success(&out, "kubernetes-validate");
    let text = printed(&out);
    assert_eq!(text.matches("passed").count(), 2, "{text}");
}

#[test]
fn the_openjd_job_checks_and_runs_its_shards_and_join() {
    let f = Fixture::new();
    edl(&f);
    let cold = single(&f);
    let template =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/openjd/render.yaml");
    let openjd = python_venv().with_file_name("openjd");
    let out = std::process::Command::new(&openjd)
        .arg("check")
        .arg(&template)
        .output()
        .expect("openjd runs");
    assert_success(&out, "openjd check");
    assert!(String::from_utf8_lossy(&out.stdout).contains("passes validation"));
    let out = std::process::Command::new(&openjd)
        .arg("run")
        .arg(&template)
        .args(["--step", "Join", "--run-dependencies"])
        .arg("-p")
        .arg(format!("Edl={}", f.path("t.toml").display()))
        .args(["-p", "Shards=3", "-p"])
        .arg(format!("Reel={}", env!("CARGO_BIN_EXE_reel")))
        .current_dir(f.path(""))
        .output()
        .expect("openjd runs");
    assert_success(&out, "openjd run");
    let log = printed(&out);
    // Three shard tasks, then the join.
    assert!(log.contains("Chunks run: 4"), "{log}");
    for i in 0..3 {
        assert!(
            log.contains(&format!("\"shard\":{i},\"shards\":3")),
            "shard {i}: {log}"
        );
    }
    assert!(
        std::fs::read(f.path("out.mp4")).unwrap() == cold,
        "the OpenJD join"
    );
}

/// Where two renders differ: the first decoded frames (video and audio)
/// whose checksums differ, for a failure message.
fn explain(a: &std::path::Path, b: &std::path::Path) -> String {
    let sums = |p: &std::path::Path| {
        let out = std::process::Command::new("ffmpeg")
            .args(["-v", "error", "-i"])
            .arg(p)
            .args(["-f", "framemd5", "-"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| !l.starts_with('#'))
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    let (x, y) = (sums(a), sums(b));
    let differing: Vec<String> = x
        .iter()
        .zip(&y)
        .filter(|(l, r)| l != r)
        .take(4)
        .map(|(l, r)| format!("[{l}] vs [{r}]"))
        .collect();
    format!(
        "{} and {} decoded frames; first differing: {}",
        x.len(),
        y.len(),
        if differing.is_empty() {
            "none (the containers differ)".to_string()
        } else {
            differing.join("; ")
        }
    )
}

/// PATH with reel's directory first, as in the jobs' images.
fn path_with_reel() -> String {
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_reel"))
        .parent()
        .unwrap()
        .to_path_buf();
    format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

/// A single-node Slurm cluster of this machine's own (`scripts/slurm-local`),
/// stopped by its daemons' pids when dropped.
struct Slurm {
    dir: std::path::PathBuf,
    script: std::path::PathBuf,
}

impl Slurm {
    fn start(dir: std::path::PathBuf) -> Slurm {
        let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/slurm-local");
        let slurm = Slurm { dir, script };
        let out = std::process::Command::new("bash")
            .arg(&slurm.script)
            .arg("start")
            .arg(&slurm.dir)
            .output()
            .expect("bash runs");
        assert_success(
            &out,
            "starting the Slurm cluster (bash scripts/setup --test installs Slurm)",
        );
        slurm
    }

    fn conf(&self) -> std::path::PathBuf {
        self.dir.join("slurm.conf")
    }

    fn wait(&self, job: &str) {
        let out = std::process::Command::new("bash")
            .arg(&self.script)
            .args(["wait", job, "300"])
            .env("SLURM_CONF", self.conf())
            .output()
            .unwrap();
        assert_success(&out, &format!("waiting for Slurm job {job}"));
    }

    /// The state of a job or array task, as `squeue` gives it.
    fn state(&self, job: &str) -> String {
        let out = std::process::Command::new("squeue")
            .args(["-h", "-t", "all", "-o", "%T", "-j", job])
            .env("SLURM_CONF", self.conf())
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).trim().to_string();
        format!("{text}{}", String::from_utf8_lossy(&out.stderr).trim())
    }
}

impl Drop for Slurm {
    fn drop(&mut self) {
        let _ = std::process::Command::new("bash")
            .arg(&self.script)
            .arg("stop")
            .arg(&self.dir)
            .status();
    }
}

#[test]
fn a_real_slurm_cluster_renders_shards_then_joins_after_failures_and_requeues() {
    let f = Fixture::new();
    edl(&f);
    let cold = single(&f);
    let slurm = Slurm::start(f.path("slurm"));
    let path = path_with_reel();
    let submit = |cache: &str, extra: &[&str]| -> String {
        let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/slurm-render");
        let out = std::process::Command::new("bash")
            .arg(script)
            .args(["t.toml", "--shards", "4", "--report", "report.json"])
            .args(extra)
            .current_dir(f.path(""))
            .env("PATH", &path)
            .env("SLURM_CONF", slurm.conf())
            .env("REEL_CACHE", f.path(cache))
            .output()
            .unwrap();
        assert_success(&out, "scripts/slurm-render");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    let report = || -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(f.path("report.json")).unwrap()).unwrap()
    };

    // Four shards, then the join: every unit came from a shard.
    let join = submit("cache-a", &[]);
    slurm.wait(&join);
    assert_eq!(slurm.state(&join), "COMPLETED");
    assert!(
        std::fs::read(f.path("out.mp4")).unwrap() == cold,
        "the Slurm join differs from one machine's render: {}",
        explain(&f.path("out.mp4"), &f.path("single.mp4"))
    );
    let cache = &report()["outputs"][0]["cache"];
    assert_eq!(cache["segments_reused"], cache["segments"], "{cache}");
    let logs: Vec<String> = std::fs::read_dir(f.path(""))
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("slurm-") && n.ends_with(".out"))
        .collect();
    assert_eq!(logs.len(), 5, "four shard tasks and the join: {logs:?}");

    // Held, so that the test decides what becomes of each shard: shard 3
    // fails, shard 1 is requeued after it ran (a preempted shard runs
    // twice). The join still matches.
    std::fs::remove_file(f.path("out.mp4")).unwrap();
    let join = submit("cache-b", &["--hold"]);
    let array = {
        let out = std::process::Command::new("squeue")
            .args(["-h", "-n", "reel-shards", "-t", "all", "-o", "%F"])
            .env("SLURM_CONF", slurm.conf())
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let mut ids: Vec<u64> = text.lines().filter_map(|l| l.trim().parse().ok()).collect();
        ids.sort();
        ids.last().expect("the array job is queued").to_string()
    };
    let scontrol = |args: &[&str]| {
        let out = std::process::Command::new("scontrol")
            .args(args)
            .env("SLURM_CONF", slurm.conf())
            .output()
            .unwrap();
        assert_success(&out, &format!("scontrol {args:?}"));
    };
    // A working directory that does not exist: the task fails to start.
    scontrol(&[
        "update",
        &format!("JobId={array}_3"),
        "WorkDir=/nonexistent",
    ]);
    scontrol(&["release", &array]);
    scontrol(&["release", &join]);
    slurm.wait(&format!("{array}_1"));
    scontrol(&["requeue", &format!("{array}_1")]);
    slurm.wait(&join);
    assert_eq!(slurm.state(&format!("{array}_3")), "FAILED");
    assert_eq!(slurm.state(&join), "COMPLETED");
    let shown = std::process::Command::new("scontrol")
        .args(["show", "job", &format!("{array}_1")])
        .env("SLURM_CONF", slurm.conf())
        .output()
        .unwrap();
    let shown = String::from_utf8_lossy(&shown.stdout);
    assert!(shown.contains("Restarts=1"), "shard 1 ran twice: {shown}");
    let shard1 =
        std::fs::read_to_string(f.path(&format!("slurm-{array}_1.out"))).unwrap_or_default();
    assert!(
        shard1.contains("\"event\":\"shard\""),
        "shard 1 ran: {shard1}"
    );
    assert!(
        std::fs::read(f.path("out.mp4")).unwrap() == cold,
        "the join after a failed and a requeued shard differs: {}",
        explain(&f.path("out.mp4"), &f.path("single.mp4"))
    );
    // The join rendered the failed shard's units itself.
    let cache = &report()["outputs"][0]["cache"];
    assert!(
        cache["segments_reused"].as_u64() < cache["segments"].as_u64()
            || cache["audio_reused"] == false,
        "{cache}"
    );
}
