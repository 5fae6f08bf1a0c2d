using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;

namespace Tenure.Engine.Tests;

/// <summary>
/// <c>tenure serve</c>'s log as the real process writes it: a client's mistake is answered with its problem and is
/// not an error of ours (no <c>fail:</c>, no stack trace); a failure on our side is logged at Error with its exception.
/// </summary>
public sealed class ServeLoggingTests
{
    private const string BadJson = """{"name": """;

    [Fact]
    public async Task Serve_answers_a_bad_JSON_body_400_with_its_problem_and_logs_no_error_no_stack_trace_and_no_request_lines()
    {
        using var serve = await ServeProcess.Start("op-log-test");
        using var answer = await serve.Post("/v1/accounts", BadJson);
        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(await answer.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;
        Assert.Equal("validation", problem["code"]!.ToString());

        var log = await serve.Stop();
        Assert.Contains("Tenure listens on", log, StringComparison.Ordinal); // the output was read
        Assert.DoesNotContain("fail:", log, StringComparison.Ordinal);
        Assert.DoesNotContain("BadHttpRequestException", log, StringComparison.Ordinal);
        Assert.DoesNotContain(log.Split('\n'), line => line.TrimStart().StartsWith("at ", StringComparison.Ordinal));
        Assert.DoesNotContain("Request starting", log, StringComparison.Ordinal); // ASP.NET Core's request lines are below Warning
    }

    [Fact]
    public async Task Serve_logs_JSON_lines_with_FormatterName_json_and_a_500_at_Error_with_its_exception_but_a_400_not()
    {
        using var serve = await ServeProcess.Start("op-log-test", null, ("Logging__Console__FormatterName", "json"));
        using (var bad = await serve.Post("/v1/accounts", BadJson)) Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);

        // Broken infrastructure: the table behind Idempotency-Key is gone, so the next command fails on our side.
        using (var connection = new SqliteConnection($"Data Source={serve.DbFile};Pooling=False"))
        {
            connection.Open();
            using var drop = connection.CreateCommand();
            drop.CommandText = "DROP TABLE idempotency";
            drop.ExecuteNonQuery();
        }

        using (var broken = await serve.Post("/v1/accounts", """{"name":"Ada","email":"ada@example.com"}""", idempotencyKey: "log-1"))
        {
            Assert.Equal(HttpStatusCode.InternalServerError, broken.StatusCode);
            Assert.Equal("application/problem+json", broken.Content.Headers.ContentType?.MediaType);
        }

        var entries = (await serve.Stop()).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(line => !line.StartsWith("Tenure listens on", StringComparison.Ordinal)) // serve's own line, not a log entry
            .Select(line => JsonNode.Parse(line)!.AsObject()).ToList();
        Assert.Contains(entries, e => e["Category"]!.ToString() == "Microsoft.Hosting.Lifetime" && e["Timestamp"] is not null);
        var error = Assert.Single(entries, e => e["LogLevel"]!.ToString() is "Error" or "Critical");
        Assert.Equal("Microsoft.AspNetCore.Diagnostics.ExceptionHandlerMiddleware", error["Category"]!.ToString());
        Assert.Contains("no such table: idempotency", error["Exception"]!.ToString(), StringComparison.Ordinal);
    }
}
