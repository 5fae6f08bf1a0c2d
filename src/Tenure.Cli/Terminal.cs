using System.Text.Json;
using System.Text.Json.Nodes;
using NodaTime;
using NodaTime.Text;
using Spectre.Console;

namespace Tenure.Cli;

/// <summary>
/// What a client command writes and asks. Lists are a table on a terminal and plain tab-separated lines when stdout is
/// piped (never wrapped, so <c>grep</c> finds a whole row), or JSON with <c>--output json</c>. Times are shown in the
/// billing zone with their offset, as the console shows them, or in UTC with <c>--utc</c>.
/// </summary>
internal sealed class Terminal(
    IAnsiConsole console, TextWriter output, TextWriter error, TextReader? input, string format, DateTimeZone? zone)
{
    public const string Table = "table";
    public const string Tsv = "tsv";
    public const string Json = "json";

    private static readonly ZonedDateTimePattern LocalPattern =
        ZonedDateTimePattern.CreateWithInvariantCulture("uuuu-MM-dd HH:mm o<+HH:mm>", null);
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Whether stdout is a terminal; progress bars are drawn only there.</summary>
    public bool IsTerminal => console.Profile.Out.IsTerminal;

    public IAnsiConsole Console => console;

    public DateTimeZone? Zone => zone;

    public void Line(string text) => output.WriteLine(text);

    /// <summary>A line under a listing; left out of <c>--output json</c>, which stays one JSON document.</summary>
    public void Summary(string text)
    {
        if (format != Json) output.WriteLine(text);
    }

    public void Error(string text) => error.WriteLine($"error: {text}");

    /// <summary>
    /// A listing: <paramref name="json"/> as it came from the API with <c>--output json</c>, else the columns; a second
    /// listing of the same JSON passes null, so that the JSON is printed once.
    /// </summary>
    public void List(JsonNode? json, IReadOnlyList<string> columns, IEnumerable<IReadOnlyList<string>> rows)
    {
        if (format == Json)
        {
            if (json is not null) output.WriteLine(json.ToJsonString(Indented));
            return;
        }

        Columns(columns, rows);
    }

    /// <summary>Columns without a JSON form (a quote before payment): a table on a terminal, tab-separated when piped.</summary>
    public void Columns(IReadOnlyList<string> columns, IEnumerable<IReadOnlyList<string>> rows)
    {
        if (format == Table)
        {
            // The first column is an ID: on a narrow terminal the other columns wrap, never the ID.
            var table = new Spectre.Console.Table().AddColumns([.. columns.Select((c, i) => i == 0
                ? new TableColumn(Markup.Escape(c)).NoWrap() : new TableColumn(Markup.Escape(c)))]);
            foreach (var row in rows) table.AddRow([.. row.Select(Markup.Escape)]);
            console.Write(table);
            return;
        }

        output.WriteLine(string.Join('\t', columns));
        foreach (var row in rows) output.WriteLine(string.Join('\t', row.Select(Plain)));
    }

    /// <summary>An API instant in the billing zone (<c>2019-04-02 00:00 +08:00</c>) or, with <c>--utc</c>, as ISO UTC.</summary>
    public string Time(JsonNode? instant)
    {
        if (instant is null) return "-";
        var parsed = InstantPattern.ExtendedIso.Parse(instant.ToString());
        if (!parsed.Success) return instant.ToString();
        return Time(parsed.Value);
    }

    /// <inheritdoc cref="Time(JsonNode?)"/>
    public string Time(Instant at) => zone is null ? InstantPattern.ExtendedIso.Format(at) : LocalPattern.Format(at.InZone(zone));

    /// <summary>Asks a yes/no question; null when nobody can answer (stdin is not a terminal), so that the caller needs --yes.</summary>
    public bool? Confirm(string question)
    {
        if (input is null && (!console.Profile.Capabilities.Interactive || System.Console.IsInputRedirected)) return null;
        output.Write($"{question} [y/N] ");
        output.Flush();
        var answer = (input ?? System.Console.In).ReadLine()?.Trim();
        return answer is not null
            && (answer.Equals("y", StringComparison.OrdinalIgnoreCase) || answer.Equals("yes", StringComparison.OrdinalIgnoreCase));
    }

    // A cell must stay on its line and in its column, whatever the API said.
    private static string Plain(string cell) => cell.Replace('\t', ' ').Replace('\n', ' ').Replace('\r', ' ');
}
