using Spectre.Console;
using Tenure.Cli;

return TenureCli.Run(args, AnsiConsole.Console, Console.Error);
