//! The `reel` command: one short function per command, each turning its
//! arguments into a library call.

use clap::Parser;
use cli::{
    CacheAction, CacheTarget, CheckArgs, ColorWhen, Command, ExportArgs, ImportArgs, PlanArgs,
    ProxiesArgs, RenderArgs,
};
use reel::error::{Error, Result};
use reel::plan::WorkUnit;
use reel::render::{self, Settings};
use std::io::IsTerminal;
use std::process::ExitCode;

mod cli;

fn main() -> ExitCode {
    limit_heap_growth();
    raise_open_file_limit();
    quiet_on_closed_pipe();
    reel::signal::install();
    let args = cli::Cli::parse();
    let color = colour_wanted(args.color);
    let done = |r: Result<()>| r.map(|()| ExitCode::SUCCESS);
    let result = match args.command {
        Command::Check(a) => done(check(a, color)),
        Command::Render(a) => render(a, color),
        Command::Proxies(a) => done(proxies(a)),
        Command::Import(a) => done(import(a)),
        Command::Export(a) => done(export(a)),
        Command::Plan(a) => done(plan(a)),
        Command::Cache {
            action: CacheAction::Stats(a),
        } => done(cache_stats(a)),
        Command::Cache {
            action: CacheAction::Clear(a),
        } => done(cache_clear(a)),
    };
    result.unwrap_or_else(|e| {
        eprint!("{}", e.render(color, |p| std::fs::read_to_string(p).ok()));
        ExitCode::from(e.exit_code() as u8)
    })
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
    let opts = args.interchange.options();
    let (_, plan) = reel::prepare_with(&args.edl, args.profile.name(), &opts)?;
    print!("{}", reel::report::timeline(&plan));
    let ducked = reel::audio::ducked_spans(&plan.audio)?;
    print!("{}", reel::report::audio(&plan, &ducked));
    print!("{}", reel::report::layers(&plan));
    print!("{}", reel::report::colour(&plan));
    print!("{}", reel::report::sources(&plan));
    let warnings = &plan.layers.warnings;
    if args.strict && !warnings.is_empty() {
        return Err(Error::Invalid(reel::error::Diagnostics(warnings.clone())));
    }
    warn(warnings, color);
    let measured = last_render(&plan.output.path);
    if let Some(path) = &args.storyboard {
        reel::storyboard::draw(&plan, &args.edl, measured, path)?;
        println!("storyboard: {}", path.display());
    }
    Ok(())
}

/// Prints `warnings` as the errors they would be with `--strict`, but
/// called warnings.
fn warn(warnings: &[reel::error::Diagnostic], color: bool) {
    for w in warnings {
        let d = reel::error::Diagnostics(vec![w.clone()]);
        let text = d.render(color, |p| std::fs::read_to_string(p).ok());
        eprint!("{}", text.replacen("error", "warning", 1));
    }
}

/// The loudness of the last render at `out`, when there is one, printed.
fn last_render(out: &std::path::Path) -> Option<reel::audio::loudness::Measured> {
    if !out.exists() {
        return None;
    }
    match reel::audio::measure_file(out) {
        Ok(m) => {
            println!("last render {}: {m}", out.display());
            Some(m)
        }
        Err(e) => {
            println!(
                "last render {}: not measured ({})",
                out.display(),
                reel::error::Report(&e)
            );
            None
        }
    }
}

/// `reel import`: the cut as a reel EDL, checked by planning it.
fn import(args: ImportArgs) -> Result<()> {
    let opts = args.interchange.options();
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
    let opts = args.interchange.options();
    let (_, plan) = reel::prepare_with(&args.edl, None, &opts)?;
    let (text, notes) = reel::export::export(&plan, &args.output)?;
    for n in notes {
        eprintln!("warning: {n}");
    }
    reel::container::write_atomic(&args.output, &text)
}

/// `reel render`: the run the arguments ask for; the worst exit code of
/// its outputs.
fn render(args: RenderArgs, color: bool) -> Result<ExitCode> {
    let code = reel::batch::run(&args.run_config(color)?)?;
    Ok(ExitCode::from(code.clamp(0, 255) as u8))
}

/// `reel plan`: the work units of a render.
fn plan(args: PlanArgs) -> Result<()> {
    let opts = args.interchange.options();
    let (_, plan) = reel::prepare_with(&args.edl, args.profile.name(), &opts)?;
    let keys = render::unit_keys(&plan, &Settings::default())?;
    let units = reel::plan::work_units(&plan);
    let n = args.shards as usize;
    let owner = reel::plan::assign(&units.iter().map(|u| u.cost).collect::<Vec<_>>(), n);
    if args.json {
        print_units_json(&args.edl, &units, &keys, &owner, n);
    } else {
        print_units_table(&units, &owner, n);
    }
    Ok(())
}

/// `reel plan --json`: the units with their keys and shards (of `n`).
fn print_units_json(
    edl: &std::path::Path,
    units: &[WorkUnit],
    keys: &[String],
    owner: &[usize],
    n: usize,
) {
    let list: Vec<serde_json::Value> = units
        .iter()
        .zip(keys)
        .zip(owner)
        .map(|((u, key), shard)| {
            serde_json::json!({
                "id": u.kind.to_string(),
                "kind": u.kind.name(),
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
        "edl": edl.display().to_string(),
        "shards": n,
        "units": list,
    });
    println!(
        "{}",
        serde_json::to_string_pretty(&doc).expect("JSON prints")
    );
}

/// `reel plan`: the units as a table, with their shards (of `n`).
fn print_units_table(units: &[WorkUnit], owner: &[usize], n: usize) {
    println!("unit         frames          clips  cost            shard");
    for (u, shard) in units.iter().zip(owner) {
        println!(
            "{:<12} {:>6}-{:<8} {:>5}  {:<15} {shard}/{n}",
            u.kind,
            u.frames.start,
            u.frames.end,
            u.clips.len(),
            u.cost
        );
    }
}

/// `reel proxies`.
fn proxies(args: ProxiesArgs) -> Result<()> {
    let (_, plan) = reel::prepare(&args.edl, None)?;
    let c = args.cache.location()?.open(Some(&args.edl))?;
    let made = reel::proxy::make_all(&reel::proxy::wanted(&plan)?, &c, cli::jobs(args.jobs))?;
    println!("{} ({})", reel::proxy::describe(made), c.dir.display());
    Ok(())
}

fn megabytes(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

/// `reel cache stats`.
fn cache_stats(args: CacheTarget) -> Result<()> {
    let c = args.cache.location()?.open(args.edl.as_deref())?;
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
    let c = args.cache.location()?.open(args.edl.as_deref())?;
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
