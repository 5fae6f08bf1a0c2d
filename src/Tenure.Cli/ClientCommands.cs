using System.CommandLine;
using System.Text.Json.Nodes;
using Spectre.Console;

namespace Tenure.Cli;

/// <summary>
/// The client commands: talk to a running server. Exit codes: 0 done, 1 refused by the server (its problem's title and
/// detail are printed), 2 bad arguments, 3 the server could not be reached, 5 a confirmation was declined.
/// </summary>
public static class ClientCommands
{
    public const int Unreachable = 3;

    public static IEnumerable<Command> Create(IAnsiConsole console, Func<HttpMessageHandler?>? handler = null, TextReader? input = null)
    {
        var c = new Connection(console, input, handler);
        return [.. InstanceCommands.Create(c), .. PaymentCommands.Create(c), .. OperatorCommands.Create(c)];
    }

    /// <summary>Minor units from the API, shown with their currency (never raw cents).</summary>
    internal static string Money(JsonNode? minor, JsonNode? currency) =>
        minor is null ? "-" : new Domain.Money.Money(minor.GetValue<long>(), currency?.ToString() ?? string.Empty).ToString();

    internal static string Text(JsonNode? node, string field) => node?[field]?.ToString() ?? "-";
}
