using System.CommandLine;
using NodaTime;
using Spectre.Console;

namespace Tenure.Cli;

/// <summary>The <c>tenure</c> command line: one subcommand per file, wired here.</summary>
public static class TenureCli
{
    /// <summary>
    /// Parses and runs; returns the exit code (<see cref="ExitCodes"/>). Confirmations read <paramref name="input"/>, or
    /// the terminal's stdin when it is null.
    /// </summary>
    public static int Run(string[] args, IAnsiConsole console, TextWriter error, IClock? clock = null, TextReader? input = null)
    {
        clock ??= SystemClock.Instance; // allowed: the executable's edge is where the real clock is chosen
        var root = new RootCommand("Tenure: lifecycle and renewal engine for prepaid cloud resources.")
        {
            TimelineCommand.Create(console),
            StorageCommands.Migrate(),
            StorageCommands.Verify(),
            StorageCommands.Engine(clock),
            ServeCommand.Create(clock),
            DevCommands.Create(clock),
        };
        foreach (var command in ClientCommands.Create(console, input: input)) root.Subcommands.Add(command);
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var problem in parsed.Errors) error.WriteLine($"error: {problem.Message}");
            error.WriteLine("Run 'tenure --help' or 'tenure <command> --help' for usage.");
            return ExitCodes.Usage;
        }

        return parsed.Invoke(new InvocationConfiguration { Output = console.Profile.Out.Writer, Error = error });
    }
}

/// <summary>Documented exit codes of the <c>tenure</c> command.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    public const int Refused = 1;
    public const int Usage = 2;

    /// <summary>A money-moving command's confirmation was answered no: nothing was paid.</summary>
    public const int Declined = 5;

    /// <summary>
    /// <c>tenure verify</c>: no database to check (a missing SQLite file, a schema never migrated, a server not reachable).
    /// </summary>
    public const int NoDatabase = 4;
}
