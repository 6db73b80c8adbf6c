//! `payrail`: parse the command line and run it (see `cli`).

use clap::Parser;

#[actix_web::main]
async fn main() -> anyhow::Result<std::process::ExitCode> {
    payrail::cli::run(payrail::cli::Cli::parse()).await
}
