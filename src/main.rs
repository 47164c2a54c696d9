use clap::Parser;
use reel::progress::{Bar, Log, Progress, Silent};
use reel::render::{self, Settings};
use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::Duration;

mod cli;

fn main() -> ExitCode {
    limit_heap_growth();
    quiet_on_closed_pipe();
    reel::signal::install();
    let args = cli::Cli::parse();
    let result = match args.command {
        cli::Command::Check { edl, profile } => {
            reel::prepare(&edl, profile.name()).and_then(|(_, plan)| {
                print!("{}", reel::report::timeline(&plan));
                let ducked = reel::audio::ducked_spans(&plan.audio)?;
                print!("{}", reel::report::audio(&plan, &ducked));
                let out = &plan.output.path;
                if out.exists() {
                    match reel::audio::measure_file(out) {
                        Ok(m) => println!("last render {}: {m}", out.display()),
                        Err(e) => println!(
                            "last render {}: not measured ({})",
                            out.display(),
                            reel::error::Report(&e)
                        ),
                    }
                }
                Ok(())
            })
        }
        cli::Command::Render {
            edl,
            output,
            jobs,
            quiet,
            range,
            profile,
            cache,
            no_cache,
            make_proxies,
            on_decode_error,
        } => reel::prepare(&edl, profile.name()).and_then(|(_, plan)| {
            let plan = match range {
                None => plan,
                Some(text) => {
                    let (a, b) = reel::time::parse_span(&text).map_err(usage)?;
                    let fps = plan.output.fps;
                    let frame = |t: reel::time::Ratio| reel::time::round(t * fps).max(0) as u64;
                    if frame(b) > plan.frames {
                        return Err(usage(format!(
                            "--range {text} ends after the montage ({})",
                            reel::time::Clock(plan.duration())
                        )));
                    }
                    if frame(a) >= frame(b) {
                        return Err(usage(format!("--range {text} is shorter than one frame")));
                    }
                    plan.restrict(frame(a)..frame(b))
                }
            };
            let output = output.unwrap_or_else(|| plan.output.path.clone());
            let cache = if no_cache {
                None
            } else {
                Some(open_cache(&cache, Some(&edl))?)
            };
            let jobs = jobs.map_or_else(render::cores, usize::from);
            let mut plan = plan;
            if let (Some(c), true) = (&cache, profile.name() == Some("proxy")) {
                let wanted = reel::proxy::wanted(&plan)?;
                if make_proxies {
                    let made = reel::proxy::make_all(&wanted, c, jobs)?;
                    if !quiet {
                        eprintln!("reel: {}", reel::proxy::describe(made));
                    }
                }
                let used = reel::proxy::substitute(&mut plan, c, &wanted)?;
                if !quiet && used > 0 {
                    eprintln!(
                        "reel: {used} of {} clips read proxy media",
                        plan.clips.len()
                    );
                }
            }
            render::check_output(&plan, &output, cache.as_ref())?;
            let settings = Settings {
                jobs,
                cache,
                on_decode_error: match on_decode_error {
                    cli::DecodeErrors::Stop => render::OnDecodeError::Stop,
                    cli::DecodeErrors::Conceal => render::OnDecodeError::Conceal,
                },
            };
            let progress: Box<dyn Progress> = if quiet {
                Box::new(Silent)
            } else if std::io::stderr().is_terminal() {
                Box::new(Bar::new())
            } else {
                Box::new(Log::new(Duration::from_secs(5)))
            };
            let summary = render::render(&plan, &output, &settings, progress.as_ref())?;
            if !quiet {
                eprintln!("reel: {summary}");
            }
            Ok(())
        }),
        cli::Command::Proxies { edl, jobs, cache } => {
            reel::prepare(&edl, None).and_then(|(_, plan)| {
                let c = open_cache(&cache, Some(&edl))?;
                let jobs = jobs.map_or_else(render::cores, usize::from);
                let made = reel::proxy::make_all(&reel::proxy::wanted(&plan)?, &c, jobs)?;
                println!("{} ({})", reel::proxy::describe(made), c.dir.display());
                Ok(())
            })
        }
        cli::Command::Cache { action } => match action {
            cli::CacheAction::Stats { edl, cache } => open_cache(&cache, edl.as_deref()).map(|c| {
                let s = c.stats();
                let mb = |b: u64| b as f64 / (1024.0 * 1024.0);
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
            }),
            cli::CacheAction::Clear { edl, cache } => open_cache(&cache, edl.as_deref())
                .and_then(|c| c.clear().map(|s| (c, s)))
                .map(|(c, s)| {
                    println!(
                        "cleared {}: {} segments, {} audio tracks, {} proxies, {:.1} MB",
                        c.dir.display(),
                        s.segments,
                        s.audio,
                        s.proxies,
                        s.bytes() as f64 / (1024.0 * 1024.0)
                    )
                }),
        },
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            for line in reel::error::Report(&e).to_string().lines() {
                eprintln!("error: {line}");
            }
            ExitCode::from(e.exit_code() as u8)
        }
    }
}

/// The cache the arguments name: `--cache`, else `REEL_CACHE`, else
/// `.reel-cache/` beside the EDL (or in the current directory).
fn open_cache(
    args: &cli::CacheArgs,
    edl: Option<&std::path::Path>,
) -> reel::error::Result<reel::cache::Cache> {
    let max = match &args.cache_max {
        Some(t) => reel::cache::parse_size(t).map_err(|e| usage(format!("--cache-max: {e}")))?,
        None => reel::cache::DEFAULT_MAX,
    };
    let dir = match &args.cache {
        Some(d) => d.clone(),
        None => reel::cache::default_dir(edl.unwrap_or(std::path::Path::new("edl.toml"))),
    };
    reel::cache::Cache::open(&dir, max)
}

/// A bad command-line value: exit code 2, like an invalid EDL.
fn usage(message: String) -> reel::error::Error {
    reel::error::Error::Invalid(
        reel::error::Diagnostic::new(std::path::Path::new("reel"), message).into(),
    )
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
