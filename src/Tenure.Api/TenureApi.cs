using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Routing;
using Prometheus;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using NodaTime;
using Tenure.Domain;
using Tenure.Engine.Clocks;
using Tenure.Engine.Delivery;
using Microsoft.Extensions.Logging;
using Tenure.Engine.Lifecycle;
using Tenure.Storage;
using Tenure.Api.Web;

namespace Tenure.Api;

/// <summary>How to run the service.</summary>
public sealed record ApiOptions(Database Database, string OperatorKey, IClock Clock, bool RunEngine = true)
{
    public DispatcherOptions Delivery { get; init; } = new();

    /// <summary>R7.9: the payment gateway; without its URL no payment method is charged.</summary>
    public Tenure.Engine.Payments.PaymentOptions Payments { get; init; } = new();

    public Rules Rules { get; init; } = Rules.Default;

    /// <summary>
    /// The engine loops this node runs (<c>Tenure:EngineWorkers</c>), each claiming its own batches. SQLite has one writer, so
    /// one; on PostgreSQL two by default, so that the database writes one batch while the engine decides the next
    /// (docs/benchmarks.md): their claims skip each other's rows and they lock accounts in ID order, as separate nodes do.
    /// </summary>
    public int EngineWorkers { get; init; } = DefaultEngineWorkers(Database.Dialect);

    public static int DefaultEngineWorkers(Dialect dialect) => dialect == Dialect.Postgres ? 2 : 1;

    /// <summary>The most engine loops one node runs.</summary>
    public const int MaxEngineWorkers = 16;

    /// <summary>Why a node cannot run <paramref name="workers"/> engine loops on <paramref name="dialect"/>, or null.</summary>
    public static string? EngineWorkersProblem(int workers, Dialect dialect) => workers switch
    {
        < 1 or > MaxEngineWorkers => $"Tenure:EngineWorkers must be between 1 and {MaxEngineWorkers}.",
        > 1 when dialect != Dialect.Postgres => "Tenure:EngineWorkers above 1 needs PostgreSQL: SQLite has one writer.",
        _ => null,
    };

    public int RateLimitBurst { get; init; } = 200;

    public int RateLimitPerSecond { get; init; } = 100;

    /// <summary>Failed authentications a client address may make at once (R13.3) …</summary>
    public int AuthFailureBurst { get; init; } = 20;

    /// <summary>… and then per minute.</summary>
    public int AuthFailuresPerMinute { get; init; } = 20;

    /// <summary>How long a console sign-in lasts.</summary>
    public Duration ConsoleSessionLifetime { get; init; } = Duration.FromHours(12);

    /// <summary>How long an Idempotency-Key's answer is kept for replay (R13.2).</summary>
    public Duration IdempotencyRetention { get; init; } = Duration.FromHours(24);

    /// <summary>Largest request body accepted.</summary>
    public long MaxBodyBytes { get; init; } = 1 << 20;

    /// <summary>Largest total of request header names and values; larger is 431 problem+json (Kestrel's own limit is twice it).</summary>
    public int MaxHeaderBytes { get; init; } = 32 << 10;

    /// <summary>Who issues receipts and statements (R8.8): <c>Tenure:Provider:Name</c> and <c>Tenure:Provider:Address</c>.</summary>
    public Provider Provider { get; init; } = Provider.Default;

    /// <summary>Runs on the builder before the app is built: the host's own settings (<c>tenure serve</c>'s logging defaults).</summary>
    public Action<WebApplicationBuilder>? ConfigureHost { get; init; }
}

/// <summary>What <c>/healthz</c> and <c>/readyz</c> answer when all is well.</summary>
public sealed record ServiceStatus(string Status);

/// <summary>The HTTP API of API.md on ASP.NET Core minimal APIs.</summary>
public static class TenureApi
{
    public static WebApplication Build(ApiOptions options, string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = options.MaxBodyBytes;

            // Kestrel answers its own limits with an empty body; with room above ours, our 431 is the one sent.
            k.Limits.MaxRequestHeadersTotalSize = 2 * options.MaxHeaderBytes;
        });
        builder.Services.Configure<JsonOptions>(o => Json.Configure(o.SerializerOptions));
        builder.Services.AddProblemDetails();
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true); // binding failures reach the problem handler
        builder.Services.AddOpenApi(OpenApiDocumentation.Configure);
        builder.Services.AddRazorComponents();
        builder.Services.AddLocalization(); // the console's resource files (Web/ConsoleText*.resx)
        builder.Services.AddDataProtection();
        builder.Services.AddHttpClient();
        builder.Services.AddRequestLimits(options);
        var engine = new LifecycleEngine(options.Database, options.Rules);
        builder.Services.AddSingleton(engine);
        builder.Services.AddSingleton(new ApiContext(options.Database, options.Rules, options.Clock));
        builder.Services.AddSingleton(new Writer(options.Database));
        builder.Services.AddSingleton(sp => new Authenticator(options, sp.GetRequiredService<Writer>()));
        builder.Services.AddSingleton(_ => new Tenure.Engine.Payments.PaymentGateway(options.Payments, options.Clock));
        builder.Services.AddSingleton(sp => new CommandRunner(sp.GetRequiredService<Writer>(), options.Rules, options.Clock, engine,
            options.Payments, sp.GetRequiredService<Tenure.Engine.Payments.PaymentGateway>()));
        builder.Services.AddSingleton(options.Clock);
        var delivery = options.Delivery with { Calendar = options.Rules.Calendar }; // R9.6: notices' dates in the billing zone
        builder.Services.AddSingleton(delivery);
        builder.Services.AddSingleton(options.Provider);
        builder.Services.AddSingleton(_ => new Dispatcher(options.Database, options.Clock, delivery));
        builder.Services.AddSingleton(new Engine.Notices.NoticeRenderer(options.Rules.Calendar));
        builder.Services.AddSingleton(sp => new TestClocks(options.Database, sp.GetRequiredService<LifecycleEngine>()));
        builder.Services.AddSingleton(options.Payments);
        if (options.RunEngine)
        {
            if (ApiOptions.EngineWorkersProblem(options.EngineWorkers, options.Database.Dialect) is { } problem)
            {
                throw new ArgumentException(problem, nameof(options));
            }

            // AddHostedService keeps one service per type; each worker is its own, with an engine (and claim cursors) of its own.
            for (var worker = 0; worker < options.EngineWorkers; worker++)
            {
                var first = worker == 0;
                builder.Services.AddSingleton<IHostedService>(sp => new EngineService(
                    first ? sp.GetRequiredService<LifecycleEngine>() : new LifecycleEngine(options.Database, options.Rules),
                    options.Database, options.Clock, TimeSpan.FromSeconds(1), sp.GetRequiredService<ILogger<EngineService>>(),
                    first ? options.IdempotencyRetention : null));
            }

            builder.Services.AddHostedService(sp => new DispatcherService(sp.GetRequiredService<Dispatcher>(), TimeSpan.FromSeconds(1),
                sp.GetRequiredService<ILogger<DispatcherService>>()));
        }

        // R7.9: with a gateway configured the payment worker runs, also beside a server whose engine a test drives by hand.
        if (options.Payments.Enabled)
        {
            builder.Services.AddHostedService(sp => new Tenure.Engine.Payments.PaymentWorker(
                options.Database, sp.GetRequiredService<Writer>(), engine, options.Clock,
                options.Payments, sp.GetRequiredService<ILogger<Tenure.Engine.Payments.PaymentWorker>>()));
        }

        options.ConfigureHost?.Invoke(builder);
        var app = builder.Build();
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            ExceptionHandler = HandleException,
            StatusCodeSelector = e => e is BadHttpRequestException bad ? bad.StatusCode : 500,
            // A bad request is the client's mistake, answered with its problem: not an error of ours, so no
            // stack trace in the log (HandleException notes it at Debug); anything else logs at Error.
            SuppressDiagnosticsCallback = c => c.Exception is BadHttpRequestException,
        });
        // A status set with no body (415 from binding, 404 and 405 from routing) still answers problem+json.
        app.UseStatusCodePages(pages => EmptyStatus(pages.HttpContext));
        app.Use((context, next) =>
            HeadersTooLarge(context, options.MaxHeaderBytes)
                ? Problems.Of(431, "validation", $"The request headers exceed {options.MaxHeaderBytes} bytes.").ExecuteAsync(context)

                // Kestrel rejects a declared length over its limit with an empty 413 of its own: answer it before the body is read.
                : context.Request.ContentLength > options.MaxBodyBytes
                    ? Problems.Of(413, "validation", $"The request body exceeds {options.MaxBodyBytes} bytes.").ExecuteAsync(context)
                    : next(context));
        app.UseRouting();
        app.UseApiKeys(); // on the matched endpoint, so any casing of /v1 is authenticated alike
        app.UseRateLimiter(); // after authentication: signed-in callers are limited per principal, others per address
        app.Use((context, next) =>
        {
            // The command runner hashes a keyed request's body to tell a retry from a different request (R13.2).
            if (context.Request.Headers.ContainsKey("Idempotency-Key") && !HttpMethods.IsGet(context.Request.Method))
            {
                context.Request.EnableBuffering();
            }

            return next(context);
        });
        LifecycleEngine.ObserveBacklog(options.Database, Session.SystemClock, options.Clock.GetCurrentInstant);

        app.MapGet("/healthz", () => TypedResults.Ok(new ServiceStatus("ok"))).DisableRateLimiting();
        app.MapOpenApi();
        app.MapGet("/reference", () => TypedResults.Content(Reference.Html, "text/html"));
        app.MapMetrics().DisableRateLimiting();
        app.MapGet("/readyz", () => Ready(options.Database)).DisableRateLimiting();
        var api = app.MapGroup(string.Empty).WithMetadata(RequiresApiKey.Instance); // every /v1 route needs a key
        api.MapOperatorApi();
        api.MapInstancesApi();
        api.MapRenewalsApi();
        api.MapPlanChangesApi();
        api.MapUsageApi();
        api.MapWebhookApi();
        api.MapBillingApi();
        api.MapPaymentsApi();
        app.MapPaymentResult();
        api.MapReportsApi();
        api.MapNoticeTemplatesApi();
        app.MapConsole();
        return app;
    }

    private static Task EmptyStatus(HttpContext context)
    {
        var status = context.Response.StatusCode;
        var (code, detail) = status switch
        {
            404 => ("not-found", "No such route."),
            405 => ("validation", $"{context.Request.Method} is not allowed on this route."),
            415 => ("validation", "Send the body as application/json."),
            >= 500 => ("internal", "Something went wrong on our side; nothing was changed."),
            _ => ("validation", "The request is not valid."),
        };
        return Problems.Of(status, code, detail).ExecuteAsync(context);
    }

    private static bool HeadersTooLarge(HttpContext context, int max) =>
        context.Request.Headers.Sum(h => h.Key.Length + h.Value.Sum(v => v?.Length ?? 0)) > max;

    private static Results<Ok<ServiceStatus>, ProblemHttpResult> Ready(Database database)
    {
        try
        {
            return database.IsMigrated()
                ? TypedResults.Ok(new ServiceStatus("ready"))
                : Problems.Of(503, "not-ready", "The database schema is not up to date; run tenure migrate.");
        }
        catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException)
        {
            return Problems.Of(503, "not-ready", $"The database is not reachable: {e.Message}");
        }
    }

    private static async Task HandleException(HttpContext context)
    {
        var error = context.Features.Get<IExceptionHandlerFeature>()?.Error;
        if (error is BadHttpRequestException rejected)
        {
            context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(TenureApi).FullName!).LogDebug(
                "{Method} {Path} answered {Status}: {Reason}", context.Request.Method, context.Request.Path, rejected.StatusCode,
                (rejected.InnerException ?? rejected).Message);
        }

        var problem = error switch
        {
            BadHttpRequestException { InnerException: JsonException json } => Problems.Of(400, "validation",
                $"The JSON body is not valid: {json.Message}",
                json.Path is { Length: > 2 } path ? new Dictionary<string, string[]> { [path[2..]] = [json.Message] } : null),
            BadHttpRequestException bad when bad.StatusCode == 413 => Problems.Of(413, "validation", "The request body is too large."),
            BadHttpRequestException bad when bad.StatusCode == 415 => Problems.Of(415, "validation", "Send the body as application/json."),
            BadHttpRequestException bad => Problems.Of(400, "validation", bad.Message),
            _ => Problems.Of(500, "internal", "Something went wrong on our side; nothing was changed. The error is logged."),
        };
        await problem.ExecuteAsync(context).ConfigureAwait(false);
    }
}
