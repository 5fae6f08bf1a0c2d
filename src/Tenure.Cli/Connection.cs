using System.CommandLine;
using System.Text.Json.Nodes;
using NodaTime;
using Spectre.Console;
using Tenure.Api;

namespace Tenure.Cli;

/// <summary>A client command's API client and terminal.</summary>
internal sealed record Client(ApiClient Api, Terminal Out)
{
    /// <summary>Every item of a paged list, following <c>nextCursor</c>, so that a listing is never cut at one page.</summary>
    public async Task<JsonArray> All(string path)
    {
        var items = new JsonArray();
        var separator = path.Contains('?', StringComparison.Ordinal) ? '&' : '?';
        string? cursor = null;
        do
        {
            var next = cursor is null ? path : $"{path}{separator}cursor={Uri.EscapeDataString(cursor)}";
            var page = await Api.Get(next).ConfigureAwait(false);
            foreach (var item in page["items"]!.AsArray()) items.Add(item?.DeepClone());
            cursor = page["nextCursor"]?.ToString();
        }
        while (cursor is not null);
        return items;
    }
}

/// <summary>
/// The options every client command shares (<c>--server</c>, <c>--key</c>, <c>--utc</c>; <c>--output</c> on listings) and
/// the one way a client command runs: its exit codes and how a refusal is told.
/// </summary>
internal sealed class Connection(IAnsiConsole console, TextReader? input, Func<HttpMessageHandler?>? handler)
{
    private readonly Option<string> _server = new("--server")
    {
        Description = "Server URL (or TENURE_SERVER).",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("TENURE_SERVER") ?? "http://127.0.0.1:5080",
    };

    // No default value: the help would print the key read from TENURE_KEY.
    private readonly Option<string?> _key = new("--key") { Description = "API key (default: TENURE_KEY)." };

    private readonly Option<bool> _utc = new("--utc") { Description = "Show times in UTC instead of the billing zone." };

    private readonly Option<string?> _output = Format();

    public Command With(Command command)
    {
        command.Options.Add(_server);
        command.Options.Add(_key);
        command.Options.Add(_utc);
        return command;
    }

    /// <summary>A listing command: also <c>--output table|tsv|json</c>.</summary>
    public Command Listing(Command command)
    {
        command.Options.Add(_output);
        return With(command);
    }

    public int Run(ParseResult parsed, Func<Client, Task<int>> action)
    {
        var error = parsed.InvocationConfiguration.Error;
        if ((parsed.GetValue(_key) ?? Environment.GetEnvironmentVariable("TENURE_KEY")) is not { Length: > 0 } key)
        {
            error.WriteLine("error: no API key: pass --key or set TENURE_KEY.");
            return ExitCodes.Usage;
        }

        var server = parsed.GetValue(_server)!;
        if (!Uri.TryCreate(server, UriKind.Absolute, out var address) || address.Scheme is not ("http" or "https"))
        {
            error.WriteLine($"error: --server '{server}' is not an http:// or https:// URL.");
            return ExitCodes.Usage;
        }

        try
        {
            return RunAsync(parsed, ApiClient.Create(server, key, handler?.Invoke()), action).GetAwaiter().GetResult();
        }
        catch (ApiProblem problem)
        {
            error.WriteLine($"error: {problem.Title ?? problem.Code}: {problem.Detail} ({problem.Code}, {problem.Status})");
            foreach (var field in problem.Errors.Where(e => !e.EndsWith(problem.Detail, StringComparison.Ordinal)))
            {
                error.WriteLine($"  {field}");
            }
            return problem.Status == 400 ? ExitCodes.Usage : ExitCodes.Refused;
        }
        catch (HttpRequestException e)
        {
            error.WriteLine($"error: cannot reach {server}: {e.Message}");
            return ClientCommands.Unreachable;
        }
    }

    private async Task<int> RunAsync(ParseResult parsed, ApiClient api, Func<Client, Task<int>> action)
    {
        var config = parsed.InvocationConfiguration;
        var listing = parsed.CommandResult.Command.Options.Contains(_output);
        var format = (listing ? parsed.GetValue(_output) : null) ?? (console.Profile.Out.IsTerminal ? Terminal.Table : Terminal.Tsv);
        var zone = parsed.GetValue(_utc) ? null : await Zone(api).ConfigureAwait(false);
        return await action(new Client(api, new Terminal(console, config.Output, config.Error, input, format, zone))).ConfigureAwait(false);
    }

    /// <summary>The server's billing zone (R1.1); UTC from a server that does not say.</summary>
    private static async Task<DateTimeZone?> Zone(ApiClient api)
    {
        var products = await api.Get("v1/products").ConfigureAwait(false);
        return products["timeZone"]?.ToString() is { } id ? DateTimeZoneProviders.Tzdb.GetZoneOrNull(id) : null;
    }

    private static Option<string?> Format()
    {
        var option = new Option<string?>("--output")
        {
            Description = "table, tsv or json (default: a table on a terminal, tab-separated lines when piped).",
        };
        option.AcceptOnlyFromAmong(Terminal.Table, Terminal.Tsv, Terminal.Json);
        return option;
    }
}
