using Spectre.Console;
using Tenure.Cli;

var console = AnsiConsole.Console;

// Piped, no line folds: Spectre would wrap the timeline's table at 80 columns (client listings are plain columns there).
if (Console.IsOutputRedirected) console.Profile.Width = 4096;
return TenureCli.Run(args, console, Console.Error);
