using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Tenure.Api;

/// <summary>
/// R13.3: the request rate limit. A signed-in caller's budget is its principal's (the account or
/// the operator), however its key is spelled and however many keys it holds; anything else is
/// limited per client address. Health, readiness and metrics are exempt (their routes disable it).
/// </summary>
public static class Limits
{
    public static IServiceCollection AddRequestLimits(this IServiceCollection services, ApiOptions options) =>
        services.AddRateLimiter(limiter =>
        {
            var budget = new TokenBucketRateLimiterOptions
            {
                TokenLimit = options.RateLimitBurst, TokensPerPeriod = options.RateLimitPerSecond,
                ReplenishmentPeriod = TimeSpan.FromSeconds(1), QueueLimit = 0,
            };
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                RateLimitPartition.GetTokenBucketLimiter(Partition(context), _ => budget));
            limiter.OnRejected = (context, _) =>
            {
                context.HttpContext.Response.Headers.RetryAfter = "1";
                var problem = Problems.Of(429, "rate-limited", "Too many requests for this caller; retry after a second.");
                return new ValueTask(problem.ExecuteAsync(context.HttpContext));
            };
        });

    /// <summary>Runs after authentication, so the caller is known when there is one.</summary>
    private static string Partition(HttpContext context) =>
        context.Items[typeof(Caller)] is Caller caller
            ? "principal:" + caller.Principal
            : "address:" + ApiKeyMiddleware.ClientAddress(context);
}
