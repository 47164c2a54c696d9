use clap::Parser;
use reel::progress::{Bar, Log, Progress, Silent};
use reel::render::{self, Settings};
use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::Duration;

mod cli;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    let result = match args.command {
        cli::Command::Check { edl } => reel::prepare(&edl).map(|(_, plan)| {
            print!("{}", reel::report::timeline(&plan));
        }),
        cli::Command::Render {
            edl,
            output,
            jobs,
            quiet,
        } => reel::prepare(&edl).and_then(|(_, plan)| {
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
