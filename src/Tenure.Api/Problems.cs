using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Tenure.Domain;

namespace Tenure.Api;

/// <summary>RFC 9457 problem details with the error codes of API.md.</summary>
public static class Problems
{
    public const string TypeBase = "https://tenure.dev/problems/";

    public static ProblemHttpResult From(Refusal refusal) =>
        Of(refusal.HttpStatus, refusal.ApiCode, refusal.Detail,
            refusal.Field is { } field ? new Dictionary<string, string[]> { [field] = [refusal.Detail] } : null);

    public static ProblemHttpResult Of(int status, string code, string detail, IDictionary<string, string[]>? errors = null)
    {
        var extensions = new Dictionary<string, object?> { ["code"] = code };
        if (errors is not null) extensions["errors"] = errors;
        return TypedResults.Problem(detail, statusCode: status, title: Title(code), type: TypeBase + code, extensions: extensions);
    }

    /// <summary>A problem found before any command runs, as the answer of an asynchronous handler.</summary>
    public static Task<IResult> AsTask(this ProblemHttpResult problem) => Task.FromResult<IResult>(problem);

    public static ProblemHttpResult NotFound(string what) => Of(404, "not-found", $"{what} was not found.");

    public static ProblemHttpResult Invalid(string field, string detail) =>
        Of(400, "validation", detail, new Dictionary<string, string[]> { [field] = [detail] });

    /// <summary>Every error code the API answers (API.md), each with its human title.</summary>
    public static IReadOnlyDictionary<string, string> Titles { get; } = new Dictionary<string, string>
    {
        ["validation"] = "The request is not valid",
        ["unauthorized"] = "An API key is required",
        ["forbidden"] = "This route needs the operator key",
        ["not-found"] = "Not found",
        ["insufficient-funds"] = "Coupons and balance do not cover the charge",
        ["invalid-period"] = "Period not allowed",
        ["not-renewable"] = "Not renewable",
        ["renewal-window-closed"] = "Outside the allowed window",
        ["batch-mixes-products"] = "The batch mixes products",
        ["cross-edition-change"] = "A spec change cannot change edition",
        ["edition-change-not-allowed"] = "Edition change not allowed",
        ["migration-required"] = "A migration is required",
        ["invalid-state"] = "Not allowed in the current state",
        ["quote-stale"] = "The quote is stale",
        ["payment-declined"] = "The payment method was declined",
        ["idempotency-key-reused"] = "Idempotency key reused with a different request",
        ["rate-limited"] = "Too many requests",
        ["not-ready"] = "The service is not ready",
        ["internal"] = "Something went wrong on our side",
    };

    private static string Title(string code) => Titles.GetValueOrDefault(code, "Error");
}
