use clap::Parser;
use cli::{
    CacheAction, CacheArgs, CacheTarget, CheckArgs, ColorWhen, Command, ExportArgs, ImportArgs,
    InterchangeArgs, PlanArgs, ProxiesArgs, RenderArgs,
};
use reel::error::{Error, Result};
use reel::progress::{Bar, Log, Progress, Silent};
use reel::render::{self, Settings};
use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

mod cli;

fn main() -> ExitCode {
    limit_heap_growth();
    raise_open_file_limit();
    quiet_on_closed_pipe();
    reel::signal::install();
    let args = cli::Cli::parse();
    let result = match args.command {
        Command::Check(a) => check(a, colour_wanted(args.color)),
        Command::Render(a) => return render_all(a, colour_wanted(args.color)),
        Command::Proxies(a) => proxies(a),
        Command::Import(a) => import(a),
        Command::Export(a) => export(a),
        Command::Plan(a) => plan(a),
        Command::Cache {
            action: CacheAction::Stats(a),
        } => cache_stats(a),
        Command::Cache {
            action: CacheAction::Clear(a),
        } => cache_clear(a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let color = colour_wanted(args.color);
            eprint!("{}", e.render(color, |p| std::fs::read_to_string(p).ok()));
            ExitCode::from(e.exit_code() as u8)
        }
    }
}

/// `--color`: `auto` colours on a terminal unless `NO_COLOR` is set (and
/// not empty) or the terminal is dumb.
fn colour_wanted(when: ColorWhen) -> bool {
    match when {
        ColorWhen::Always => true,
        ColorWhen::Never => false,
        ColorWhen::Auto => {
            let set = |v: &str| std::env::var_os(v).is_some_and(|x| !x.is_empty());
            std::io::stderr().is_terminal()
                && !set("NO_COLOR")
                && std::env::var_os("TERM").is_none_or(|t| t != "dumb")
        }
    }
}

/// `reel check`: the timeline, the audio plan and the last render's
/// loudness.
fn check(args: CheckArgs, color: bool) -> Result<()> {
    let opts = import_options(&args.interchange);
    let (_, plan) = reel::prepare_with(&args.edl, args.profile.name(), &opts)?;
    print!("{}", reel::report::timeline(&plan));
    let ducked = reel::audio::ducked_spans(&plan.audio)?;
    print!("{}", reel::report::audio(&plan, &ducked));
    print!("{}", reel::report::layers(&plan));
    let warnings = &plan.layers.warnings;
    if args.strict && !warnings.is_empty() {
        return Err(Error::Invalid(reel::error::Diagnostics(warnings.clone())));
    }
    for w in warnings {
        let d = reel::error::Diagnostics(vec![w.clone()]);
        let text = d.render(color, |p| std::fs::read_to_string(p).ok());
        eprint!("{}", text.replacen("error", "warning", 1));
    }
    let out = &plan.output.path;
    let mut measured = None;
    if out.exists() {
        match reel::audio::measure_file(out) {
            Ok(m) => {
                println!("last render {}: {m}", out.display());
                measured = Some(m);
            }
            Err(e) => println!(
                "last render {}: not measured ({})",
                out.display(),
                reel::error::Report(&e)
            ),
        }
    }
    if let Some(path) = &args.storyboard {
        storyboard(&plan, &args.edl, measured, path)?;
        println!("storyboard: {}", path.display());
    }
    Ok(())
}

/// Draws `plan`'s storyboard to `path`.
fn storyboard(
    plan: &reel::plan::Plan,
    edl: &Path,
    measured: Option<reel::audio::loudness::Measured>,
    path: &Path,
) -> Result<()> {
    if path
        .extension()
        .is_none_or(|e| !e.eq_ignore_ascii_case("png"))
    {
        return Err(Error::Usage(format!(
            "--storyboard {}: the storyboard is a PNG file (.png)",
            path.display()
        )));
    }
    let name = edl.file_name().map_or_else(
        || edl.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    reel::storyboard::write(plan, &name, &reel::storyboard::Heard { measured }, path)
}

/// How a cut from another tool is read, from the command line.
fn import_options(a: &InterchangeArgs) -> reel::import::Options {
    reel::import::Options {
        media: a.media.clone(),
        media_map: a.media_map.clone(),
        fps: a.fps.clone(),
        settings: a.settings.clone(),
        media_root: a.media_root.clone(),
    }
}

/// `reel import`: the cut as a reel EDL, checked by planning it.
fn import(args: ImportArgs) -> Result<()> {
    let opts = import_options(&args.interchange);
    let imported = reel::import::import(&args.cut, &opts)?;
    for w in &imported.warnings {
        eprintln!("warning: {w}");
    }
    // The EDL must plan: probe its sources, check every clip.
    let edl = reel::edl::Edl::parse(&imported.anchor, &imported.toml)?;
    reel::plan_loaded(&args.cut, edl, Vec::new(), &opts)?;
    match &args.output {
        Some(path) => reel::container::write_atomic(path, &imported.toml),
        None => {
            print!("{}", imported.toml);
            Ok(())
        }
    }
}

/// `reel export`: the montage for an NLE.
fn export(args: ExportArgs) -> Result<()> {
    let opts = import_options(&args.interchange);
    let (_, plan) = reel::prepare_with(&args.edl, None, &opts)?;
    let (text, notes) = reel::export::export(&plan, &args.output)?;
    for n in notes {
        eprintln!("warning: {n}");
    }
    reel::container::write_atomic(&args.output, &text)
}

/// `reel render` of one or more EDLs: read and planned in groups (usually
/// one), each group rendered by one pool of workers with one cache (see
/// [`render::render_many`]), each output reported as it is done; the
/// report and JUnit files written at the end (also after a failure), and
/// the worst exit code returned.
fn render_all(args: RenderArgs, color: bool) -> ExitCode {
    let usage = |m: String| {
        eprint!("{}", Error::Usage(m).render(color, |_| None));
        ExitCode::from(2)
    };
    if let Some(text) = &args.shard {
        let shard = match parse_shard(text) {
            Ok(s) => s,
            Err(m) => return usage(m),
        };
        return render_shards(&args, shard, color);
    }
    if args.edl.len() > 1 && args.output.is_some() {
        return usage(
            "-o names one output: with several EDLs, each writes its own [output] path".into(),
        );
    }
    if args.storyboard.is_some() && args.edl.len() > 1 {
        return usage("--storyboard draws one EDL's storyboard: give one EDL".into());
    }
    for path in [&args.report, &args.junit].into_iter().flatten() {
        if let Err(e) = reel::container::write_atomic(path, "") {
            return usage(format!(
                "cannot write {}: {}",
                path.display(),
                reel::error::Report(&e)
            ));
        }
    }
    // One cache for all: the first EDL's, unless --cache names one.
    let cache_for = args.edl[0].clone();
    let progress = progress_for(&args);
    let json = args.progress == cli::ProgressMode::Json;
    // Says what became of EDL `i`.
    let show = |i: usize, result: Result<&render::Summary, &Error>, output: Option<&Path>| {
        let edl = &args.edl[i];
        let place = if args.edl.len() > 1 {
            format!("[{}/{}] {}: ", i + 1, args.edl.len(), edl.display())
        } else {
            String::new()
        };
        match result {
            Ok(summary) if !args.quiet && !json => {
                progress.note(&format!("reel: {place}{summary}\n"));
            }
            Ok(_) => {}
            Err(e) if json => reel::progress::json_event(
                "error",
                serde_json::json!({
                    "edl": edl.display().to_string(),
                    "exit_code": e.exit_code(),
                    "message": reel::error::Report(e).to_string(),
                }),
            ),
            Err(e) => progress.note(&format!(
                "{place}{}",
                e.render(color, |p| std::fs::read_to_string(p).ok())
            )),
        }
        if json {
            reel::progress::json_event(
                "output",
                serde_json::json!({
                    "edl": edl.display().to_string(),
                    "output": output.map(|p| p.display().to_string()),
                    "status": if result.is_ok() { "ok" } else { "failed" },
                    "exit_code": result.map_or_else(|e| e.exit_code(), |_| 0),
                }),
            );
        }
    };
    let mut outcomes: Vec<reel::batch::Outcome> = Vec::new();
    let mut next = 0;
    let mut stopped = false;
    // The EDLs are read and planned in groups rendered by one pool: a group
    // ends before an EDL that fails to plan while others wait (it is planned
    // again once they are rendered: it may read their outputs) or that reads
    // a waiting EDL's output.
    while next < args.edl.len() && !stopped {
        let mut group: Vec<(reel::batch::Outcome, reel::plan::Plan, std::path::PathBuf)> =
            Vec::new();
        let mut settings = None;
        let mut waiting = Vec::new();
        while next < args.edl.len() {
            let edl = &args.edl[next];
            let (outcome, prepared) = prepare_outcome(&args, edl, &cache_for);
            match prepared {
                Ok((plan, output, s)) => {
                    if reads_any(&plan, &waiting) {
                        break;
                    }
                    waiting.push(canonical(&output));
                    settings.get_or_insert(s);
                    group.push((outcome, plan, output));
                    next += 1;
                }
                Err(_) if !group.is_empty() => break,
                Err(e) => {
                    show(next, Err(&e), outcome.output.as_deref());
                    let mut outcome = outcome;
                    outcome.result = Err(reel::batch::Failure::of(&e));
                    outcomes.push(outcome);
                    next += 1;
                    if !args.keep_going {
                        stopped = true;
                    }
                    break;
                }
            }
        }
        let Some(settings) = settings else { continue };
        let first = next - group.len();
        let targets: Vec<render::Target> = group
            .iter()
            .map(|(_, plan, output)| render::Target {
                plan,
                output: output.clone(),
            })
            .collect();
        let mut storyboard_failed = None;
        let results = render::render_many(
            &targets,
            &settings,
            args.keep_going,
            progress.as_ref(),
            &mut |k, result| {
                let (_, plan, output) = &group[k];
                let drawn = match (result, &args.storyboard) {
                    (Ok(summary), Some(path)) => {
                        storyboard(plan, &args.edl[first + k], summary.loudness, path).err()
                    }
                    _ => None,
                };
                show(
                    first + k,
                    drawn.as_ref().map_or(result.as_ref(), Err),
                    Some(output),
                );
                if drawn.is_some() {
                    storyboard_failed = drawn;
                }
            },
        );
        drop(targets);
        let rendered = results.len();
        for ((mut outcome, _, _), result) in group.into_iter().zip(results) {
            if let Ok(summary) = &result {
                outcome.cpu_seconds += summary
                    .stages
                    .iter()
                    .filter(|s| matches!(s.name, "keys" | "video" | "audio" | "join"))
                    .map(|s| s.cpu)
                    .sum::<f64>();
            }
            let failed = result.is_err();
            outcome.result = match (result, storyboard_failed.take()) {
                (Ok(_), Some(e)) | (Err(e), _) => Err(reel::batch::Failure::of(&e)),
                (Ok(summary), None) => Ok(summary),
            };
            if failed && !args.keep_going {
                stopped = true;
            }
            outcomes.push(outcome);
        }
        // Without --keep-going the EDLs after a failure are not rendered.
        if stopped || rendered < next - first {
            stopped = true;
        }
    }
    progress.finish();
    let mut code = outcomes
        .iter()
        .map(|o| o.result.as_ref().map_or_else(|f| f.exit_code, |_| 0))
        .max()
        .unwrap_or(0);
    for (path, text) in [
        (
            &args.report,
            args.report.as_ref().map(|_| reel::batch::report(&outcomes)),
        ),
        (
            &args.junit,
            args.junit.as_ref().map(|_| reel::batch::junit(&outcomes)),
        ),
    ] {
        if let (Some(path), Some(text)) = (path, text) {
            if let Err(e) = reel::container::write_atomic(path, &text) {
                eprint!("{}", e.render(color, |_| None));
                code = code.max(1);
            }
        }
    }
    if args.progress == cli::ProgressMode::Json {
        reel::progress::json_event("finish", serde_json::json!({ "exit_code": code }));
    }
    ExitCode::from(code.clamp(0, 255) as u8)
}

/// The progress display `--progress` and `--quiet` ask for.
fn progress_for(args: &RenderArgs) -> Box<dyn Progress> {
    use cli::ProgressMode as M;
    let log = || Box::new(Log::new(Duration::from_secs(5)));
    match args.progress {
        M::Json => Box::new(reel::progress::Json::new(Duration::from_secs(1))),
        _ if args.quiet => Box::new(Silent),
        M::Bar => Box::new(Bar::new()),
        M::Plain => log(),
        M::Auto if std::io::stderr().is_terminal() => Box::new(Bar::new()),
        M::Auto => log(),
    }
}

/// `--shard I/N`: 0 <= I < N.
fn parse_shard(text: &str) -> std::result::Result<(usize, usize), String> {
    let bad = || format!("--shard {text}: expected I/N with 0 <= I < N (e.g. 0/4)");
    let (i, n) = text.split_once('/').ok_or_else(bad)?;
    let (i, n): (usize, usize) = (
        i.trim().parse().map_err(|_| bad())?,
        n.trim().parse().map_err(|_| bad())?,
    );
    if n == 0 || i >= n {
        return Err(bad());
    }
    Ok((i, n))
}

/// `reel render --shard I/N`: each EDL's share of work units into the
/// cache; the worst exit code.
fn render_shards(args: &RenderArgs, shard: (usize, usize), color: bool) -> ExitCode {
    let mut code = 0;
    for edl in &args.edl {
        let result = (|| {
            let opts = import_options(&args.interchange);
            let (_, plan) = reel::prepare_with(edl, args.profile.name(), &opts)?;
            let settings = Settings {
                jobs: args.jobs.map_or_else(render::cores, usize::from),
                cache: Some(open_cache(&args.cache, Some(&args.edl[0]))?),
                on_decode_error: match args.on_decode_error {
                    cli::DecodeErrors::Stop => render::OnDecodeError::Stop,
                    cli::DecodeErrors::Conceal => render::OnDecodeError::Conceal,
                },
            };
            render::render_shard(&plan, &settings, shard, progress_for(args).as_ref())
        })();
        let json = args.progress == cli::ProgressMode::Json;
        match result {
            Ok(s) if json => reel::progress::json_event(
                "shard",
                serde_json::json!({
                    "edl": edl.display().to_string(),
                    "shard": s.shard,
                    "shards": s.shards,
                    "units": s.units,
                    "rendered": s.rendered,
                    "wall_seconds": s.wall.as_secs_f64(),
                }),
            ),
            Ok(s) if !args.quiet => eprintln!("reel: {}: {s}", edl.display()),
            Ok(_) => {}
            Err(e) if json => {
                reel::progress::json_event(
                    "error",
                    serde_json::json!({
                        "edl": edl.display().to_string(),
                        "exit_code": e.exit_code(),
                        "message": reel::error::Report(&e).to_string(),
                    }),
                );
                code = code.max(e.exit_code());
                if !args.keep_going {
                    break;
                }
            }
            Err(e) => {
                eprint!("{}", e.render(color, |p| std::fs::read_to_string(p).ok()));
                code = code.max(e.exit_code());
                if !args.keep_going {
                    break;
                }
            }
        }
    }
    ExitCode::from(code.clamp(0, 255) as u8)
}

/// `reel plan`: the work units of a render.
fn plan(args: PlanArgs) -> Result<()> {
    let opts = import_options(&args.interchange);
    let (_, plan) = reel::prepare_with(&args.edl, args.profile.name(), &opts)?;
    let keys = render::unit_keys(&plan, &Settings::default())?;
    let units = reel::plan::work_units(&plan);
    let n = args.shards as usize;
    let owner = reel::plan::assign(&units.iter().map(|u| u.cost).collect::<Vec<_>>(), n);
    if args.json {
        let list: Vec<serde_json::Value> = units
            .iter()
            .zip(&keys)
            .zip(&owner)
            .map(|((u, key), shard)| {
                serde_json::json!({
                    "id": u.segment.map_or_else(|| "audio".to_string(), |s| format!("segment {s}")),
                    "kind": if u.segment.is_some() { "segment" } else { "audio" },
                    "key": key,
                    "frames": [u.frames.start, u.frames.end],
                    "clips": u.clips,
                    "output_frames": u.frames.end - u.frames.start,
                    "source_pixels": u.source_pixels,
                    "cost": u.cost,
                    "shard": shard,
                })
            })
            .collect();
        let doc = serde_json::json!({
            "edl": args.edl.display().to_string(),
            "shards": n,
            "units": list,
        });
        println!(
            "{}",
            serde_json::to_string_pretty(&doc).expect("JSON prints")
        );
    } else {
        println!("unit         frames          clips  cost            shard");
        for (u, shard) in units.iter().zip(&owner) {
            let id = u
                .segment
                .map_or_else(|| "audio".to_string(), |s| format!("segment {s}"));
            println!(
                "{id:<12} {:>6}-{:<8} {:>5}  {:<15} {shard}/{n}",
                u.frames.start,
                u.frames.end,
                u.clips.len(),
                u.cost
            );
        }
    }
    Ok(())
}

/// A new outcome for `edl`, and the EDL read, planned and made ready.
fn prepare_outcome(
    args: &RenderArgs,
    edl: &Path,
    cache_for: &Path,
) -> (
    reel::batch::Outcome,
    Result<(reel::plan::Plan, std::path::PathBuf, Settings)>,
) {
    let cpu = render::process_cpu();
    let mut outcome = reel::batch::Outcome {
        edl: edl.to_path_buf(),
        output: None,
        plan: None,
        result: Err(reel::batch::Failure {
            exit_code: 1,
            message: String::new(),
            diagnostics: Vec::new(),
        }),
        warnings: Vec::new(),
        cpu_seconds: 0.0,
    };
    let prepared = prepare(args, edl, cache_for, &mut outcome);
    outcome.cpu_seconds = render::process_cpu() - cpu;
    (outcome, prepared)
}

/// Whether `plan` reads one of `outputs` (canonical paths): a later EDL
/// of a run made from an earlier one's output.
fn reads_any(plan: &reel::plan::Plan, outputs: &[std::path::PathBuf]) -> bool {
    plan.inputs().any(|p| outputs.contains(&canonical(p)))
}

/// `path` made absolute with links resolved, or as it is if it cannot be.
fn canonical(path: &Path) -> std::path::PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Reads and plans one EDL and makes its output ready to render, noting in
/// `outcome` what the report states.
fn prepare(
    args: &RenderArgs,
    edl: &Path,
    cache_for: &Path,
    outcome: &mut reel::batch::Outcome,
) -> Result<(reel::plan::Plan, std::path::PathBuf, Settings)> {
    let opts = import_options(&args.interchange);
    let (_, mut plan) = reel::prepare_with(edl, args.profile.name(), &opts)?;
    outcome.warnings = plan.layers.warnings.iter().map(|w| w.to_string()).collect();
    if !args.quiet && args.progress != cli::ProgressMode::Json {
        for w in &plan.layers.warnings {
            eprintln!("warning: {w}");
        }
    }
    if let Some(text) = &args.range {
        let frames = plan
            .range_frames(text)
            .map_err(|e| Error::Usage(e.to_string()))?;
        plan = plan.restrict(frames);
    }
    let output = args
        .output
        .clone()
        .unwrap_or_else(|| plan.output.path.clone());
    outcome.output = Some(output.clone());
    outcome.plan = Some(reel::batch::PlanFacts::of(&plan));
    let cache = if args.no_cache {
        None
    } else {
        Some(open_cache(&args.cache, Some(cache_for))?)
    };
    let jobs = args.jobs.map_or_else(render::cores, usize::from);
    if let (Some(c), true) = (&cache, args.profile.name() == Some("proxy")) {
        use_proxies(
            &mut plan,
            c,
            jobs,
            args.make_proxies,
            args.quiet || args.progress == cli::ProgressMode::Json,
        )?;
    }
    render::check_output(&plan, &output, cache.as_ref())?;
    let settings = Settings {
        jobs,
        cache,
        on_decode_error: match args.on_decode_error {
            cli::DecodeErrors::Stop => render::OnDecodeError::Stop,
            cli::DecodeErrors::Conceal => render::OnDecodeError::Conceal,
        },
    };
    Ok((plan, output, settings))
}

/// Points a `--proxy` render at the proxy media in the cache, first making
/// the missing ones with `make`.
fn use_proxies(
    plan: &mut reel::plan::Plan,
    cache: &reel::cache::Cache,
    jobs: usize,
    make: bool,
    quiet: bool,
) -> Result<()> {
    let wanted = reel::proxy::wanted(plan)?;
    if make {
        let made = reel::proxy::make_all(&wanted, cache, jobs)?;
        if !quiet {
            eprintln!("reel: {}", reel::proxy::describe(made));
        }
    }
    let used = reel::proxy::substitute(plan, cache, &wanted)?;
    if !quiet && used.clips > 0 {
        let a = &plan.audio;
        eprintln!(
            "reel: {} of {} clips read proxy media, and {} of {} sounds",
            used.clips,
            plan.clips.len(),
            used.sounds,
            a.clips.len() + a.voiceovers.len() + a.music.len()
        );
    }
    Ok(())
}

/// `reel proxies`.
fn proxies(args: ProxiesArgs) -> Result<()> {
    let (_, plan) = reel::prepare(&args.edl, None)?;
    let c = open_cache(&args.cache, Some(&args.edl))?;
    let jobs = args.jobs.map_or_else(render::cores, usize::from);
    let made = reel::proxy::make_all(&reel::proxy::wanted(&plan)?, &c, jobs)?;
    println!("{} ({})", reel::proxy::describe(made), c.dir.display());
    Ok(())
}

fn megabytes(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

/// `reel cache stats`.
fn cache_stats(args: CacheTarget) -> Result<()> {
    let c = open_cache(&args.cache, args.edl.as_deref())?;
    let s = c.stats();
    let mb = megabytes;
    println!("cache {}", c.dir.display());
    println!(
        "  segments {:>6}  {:>9.1} MB",
        s.segments,
        mb(s.segment_bytes)
    );
    println!("  audio    {:>6}  {:>9.1} MB", s.audio, mb(s.audio_bytes));
    println!("  proxies  {:>6}  {:>9.1} MB", s.proxies, mb(s.proxy_bytes));
    if s.tmp_bytes > 0 {
        println!("  in progress     {:>9.1} MB", mb(s.tmp_bytes));
    }
    println!(
        "  total           {:>9.1} MB of {:.1} MB allowed",
        mb(s.bytes()),
        mb(c.max)
    );
    Ok(())
}

/// `reel cache clear`.
fn cache_clear(args: CacheTarget) -> Result<()> {
    let c = open_cache(&args.cache, args.edl.as_deref())?;
    let s = c.clear()?;
    println!(
        "cleared {}: {} segments, {} audio tracks, {} proxies, {:.1} MB",
        c.dir.display(),
        s.segments,
        s.audio,
        s.proxies,
        megabytes(s.bytes())
    );
    Ok(())
}

/// The cache the arguments name: `--cache`, else `REEL_CACHE`, else
/// `.reel-cache/` beside the EDL (or in the current directory).
fn open_cache(args: &CacheArgs, edl: Option<&Path>) -> Result<reel::cache::Cache> {
    let max = match &args.cache_max {
        Some(t) => {
            reel::cache::parse_size(t).map_err(|e| Error::Usage(format!("--cache-max: {e}")))?
        }
        None => reel::cache::DEFAULT_MAX,
    };
    let dir = match &args.cache {
        Some(d) => d.clone(),
        None => reel::cache::default_dir(edl.unwrap_or(Path::new("edl.toml"))),
    };
    reel::cache::Cache::open(&dir, max)
}

/// `reel check ... | head` ends quietly when the reader goes away, as other
/// command-line tools do, instead of failing on a write to a closed pipe.
fn quiet_on_closed_pipe() {
    #[cfg(unix)]
    // SAFETY: restoring the default disposition of SIGPIPE before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// Keeps large buffers (decoded and encoded pictures, several MB each) out of
/// glibc's heap. By default glibc raises its mmap threshold each time such a
/// buffer is freed, after which picture buffers come from the heap and
/// freed ones stay resident: about 180 MB more at peak on the demo.
fn limit_heap_growth() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes allocator tuning; called before any thread starts.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 256 * 1024);
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

/// Every segment of an output is held open from its look-up to the join (a
/// cached entry stays readable if another process evicts it meanwhile), so
/// an hour-long timeline, or a run of many outputs, can need more files
/// than the common soft limit of 1024: the soft limit is raised to the hard
/// one, which any process may do.
fn raise_open_file_limit() {
    // SAFETY: getrlimit fills the struct it is given; setrlimit reads it.
    unsafe {
        let mut r: libc::rlimit = std::mem::zeroed();
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut r) == 0 && r.rlim_cur < r.rlim_max {
            r.rlim_cur = r.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &r);
        }
    }
}
