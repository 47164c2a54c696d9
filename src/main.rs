use clap::Parser;
use reel::progress::{Bar, Log, Progress, Silent};
use reel::render::{self, Settings};
use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::Duration;

mod cli;

fn main() -> ExitCode {
    limit_heap_growth();
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
                        Err(e) => println!("last render {}: not measured ({e})", out.display()),
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
            let settings = Settings {
                jobs: jobs.map_or_else(render::cores, usize::from),
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
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            for line in e.to_string().lines() {
                eprintln!("error: {line}");
            }
            ExitCode::from(e.exit_code() as u8)
        }
    }
}

/// A bad command-line value: exit code 2, like an invalid EDL.
fn usage(message: String) -> reel::error::Error {
    reel::error::Error::Invalid(
        reel::error::Diagnostic::new(std::path::Path::new("reel"), message).into(),
    )
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
