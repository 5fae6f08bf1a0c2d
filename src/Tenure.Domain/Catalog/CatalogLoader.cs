using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tenure.Domain.Catalog;

/// <summary>A catalog that cannot be used; the message names the file and the field.</summary>
public sealed class CatalogException(string source, string field, string problem)
    : Exception($"{source}: {field}: {problem}")
{
    public string File { get; } = source;

    public string Field { get; } = field;
}

/// <summary>Reads a catalog from JSON and checks it before anything trusts it.</summary>
public static class CatalogLoader
{
    private const string DefaultResource = "Tenure.catalog.default.json";

    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        AllowTrailingCommas = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false) },
    };

    /// <summary>The catalog shipped in <c>catalog/default.json</c> (the SPEC appendix).</summary>
    public static ProductCatalog Default { get; } = LoadDefault();

    public static ProductCatalog LoadFile(string path) => Parse(System.IO.File.ReadAllText(path), path);

    /// <summary>Parses and validates; throws <see cref="CatalogException"/> naming <paramref name="source"/> and the bad field.</summary>
    public static ProductCatalog Parse(string json, string source)
    {
        ProductCatalog? catalog;
        try
        {
            catalog = JsonSerializer.Deserialize<ProductCatalog>(json, Options);
        }
        catch (JsonException e)
        {
            throw new CatalogException(source, e.Path ?? "$", e.Message);
        }

        if (catalog is null) throw new CatalogException(source, "$", "the catalog is empty");
        Validate(catalog, source);
        return catalog;
    }

    private static ProductCatalog LoadDefault()
    {
        using var stream = typeof(CatalogLoader).Assembly.GetManifestResourceStream(DefaultResource)
            ?? throw new InvalidOperationException($"The embedded resource {DefaultResource} is missing from the build.");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd(), "catalog/default.json");
    }

    private static void Validate(ProductCatalog catalog, string source)
    {
        void Check(bool ok, string field, string problem)
        {
            if (!ok) throw new CatalogException(source, field, problem);
        }

        Check(catalog.Currency is { Length: 3 } && catalog.Currency.All(char.IsAsciiLetterUpper),
            "$.currency", "must be a three-letter ISO 4217 code such as USD");
        Check(catalog.Products.Length > 0, "$.products", "must list at least one product");
        for (var p = 0; p < catalog.Products.Length; p++)
        {
            var product = catalog.Products[p];
            var at = $"$.products[{p}]";
            Check(!string.IsNullOrWhiteSpace(product.Code), $"{at}.code", "must not be empty");
            Check(catalog.Products.Count(x => x.Code == product.Code) == 1, $"{at}.code", $"'{product.Code}' appears more than once");
            Check(product.PurchasePeriods.Length > 0 && product.PurchasePeriods.All(m => m > 0),
                $"{at}.purchasePeriods", "must hold positive month counts");
            Check(product.ManualPeriods.All(m => m > 0), $"{at}.manualPeriods", "must hold positive month counts");
            Check(product.AutoRenewPeriods.All(m => m > 0), $"{at}.autoRenewPeriods", "must hold positive month counts");
            Check(!product.Renewable || product.ManualPeriods.Length > 0,
                $"{at}.manualPeriods", "a renewable product needs at least one manual period");
            var attemptDays = product.AutoRenewAttemptDays;
            Check(attemptDays.SequenceEqual(attemptDays.Order()) && attemptDays.Distinct().Count() == attemptDays.Length,
                $"{at}.autoRenewAttemptDays", "must be distinct and ascending");
            Check(product.AutoRenewAttemptDays.Length == 0 || product.AutoRenewGraceDays > product.AutoRenewAttemptDays[^1],
                $"{at}.autoRenewGraceDays", "must come after the last auto-renew attempt day");
            Check(product.ReminderDays.All(d => d > 0), $"{at}.reminderDays", "must be positive days before expiry");
            Check(product.StopDelayDays >= 0, $"{at}.stopDelayDays", "must not be negative");
            Check(product.RetentionDays >= 0, $"{at}.retentionDays", "must not be negative");
            Check(product.YearPriceMonths is >= 1 and <= 12, $"{at}.yearPriceMonths", "must be between 1 and 12");
            Check(product.RenewDowngradeWindowDays is null or > 0, $"{at}.renewDowngradeWindowDays", "must be positive when set");
            Check(product.PostExpirationActions.Contains(PostExpirationAction.Stop), $"{at}.postExpirationActions", "must include stop");
            Check(
                !product.PostExpirationActions.Contains(PostExpirationAction.DowngradeToStandard)
                    || product.Editions.Any(e => e.ChargeTypes.Contains(ChargeType.Payg)),
                $"{at}.postExpirationActions", "downgradeToStandard needs a PAYG edition to downgrade to");
            Check(product.Editions.Length > 0, $"{at}.editions", "must list at least one edition");
            for (var e = 0; e < product.Editions.Length; e++)
            {
                var edition = product.Editions[e];
                var eat = $"{at}.editions[{e}]";
                Check(product.Editions.Count(x => x.Code == edition.Code) == 1, $"{eat}.code", $"'{edition.Code}' appears more than once");
                Check(edition.ChargeTypes.Length > 0, $"{eat}.chargeTypes", "must list at least one charge type");
                Check(edition.Specs.Length > 0, $"{eat}.specs", "must list at least one spec");
                foreach (var target in edition.InPlaceChangeTo)
                {
                    Check(target != edition.Code && product.FindEdition(target) is not null,
                        $"{eat}.inPlaceChangeTo", $"'{target}' is not another edition of {product.Code}");
                }

                for (var s = 0; s < edition.Specs.Length; s++)
                {
                    var spec = edition.Specs[s];
                    var sat = $"{eat}.specs[{s}]";
                    Check(product.Editions.Sum(x => x.Specs.Count(y => y.Code == spec.Code)) == 1,
                        $"{sat}.code", $"'{spec.Code}' appears more than once in {product.Code}");
                    Check(!edition.ChargeTypes.Contains(ChargeType.Subscription) || spec.MonthlyPrice is >= 0,
                        $"{sat}.monthlyPrice", "a subscription spec needs a non-negative monthly price");
                    Check(!edition.ChargeTypes.Contains(ChargeType.Payg) || spec.HourlyPrice is >= 0,
                        $"{sat}.hourlyPrice", "a PAYG spec needs a non-negative hourly price");
                    Check(spec.Limits is null || spec.Limits is { Tps: > 0, Subscriptions: > 0, Connections: > 0 },
                        $"{sat}.limits", "limits must be positive");
                }
            }
        }
    }
}
