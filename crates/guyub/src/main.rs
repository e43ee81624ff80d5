fn main() -> std::process::ExitCode {
    guyub::cli::main()
}
