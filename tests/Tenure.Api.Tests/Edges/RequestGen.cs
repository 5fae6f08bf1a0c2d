using System.Globalization;
using System.Text.Json.Nodes;
using CsCheck;

namespace Tenure.Api.Tests.Edges;

/// <summary>The IDs a fuzzed request may name: the caller's own, another account's, and ones that do not exist.</summary>
internal sealed record Pools(string[] Clocks, string[] Accounts, string[] OwnInstances, string[] ForeignInstances)
{
    public static readonly string[] Missing = ["i-missing", "acc-missing", "clk-missing", " ", "..", "%2F", "i-" + new string('9', 300)];
}

/// <summary>One generated request: who sends it, to which operation and path, with which body and Idempotency-Key.</summary>
internal sealed record FuzzRequest(
    string Caller, OpenApiContract.Operation Operation, string Path, string? Body, string? IdempotencyKey, string Mutation, bool Invalid)
{
    public override string ToString() =>
        $"[{Caller}] {Operation.Method} {Path} ({Mutation}) {(Body is { Length: > 300 } b ? b[..300] + "…" : Body)}";
}

/// <summary>
/// CsCheck generators of requests from the OpenAPI document: valid bodies, query strings and path IDs built from
/// each operation's schemas (names the catalog and the world know get values from them, so many requests
/// succeed), and the invalid forms a client can send: wrong types, missing required members, numbers out of
/// range, huge strings, unknown and duplicate properties, bodies that are not JSON or not objects, foreign IDs.
/// Instants are written as <c>$NOW±hours</c> and resolved against the test clock when the request is sent.
/// </summary>
internal sealed class RequestGen(OpenApiContract contract, Pools pools)
{
    private static readonly string Huge = new('x', 300_000);

    private static readonly string[] Specs =
    [
        "ecs.small", "ecs.medium", "ecs.large", "mqtt.basic.1k", "mqtt.basic.5k", "mqtt.platinum.50k", "mqtt.platinum.100k",
        "rocketmq.standard", "rocketmq.platinum.2k", "oss.500g", "ticket", "nope",
    ];

    private JsonObject Schemas => contract.Document["components"]!["schemas"]!.AsObject();

    public Gen<FuzzRequest> Requests()
    {
        var operations = contract.Operations.Where(o => o.Path.StartsWith("/v1/", StringComparison.Ordinal)).ToArray();
        return Either(operations.Select(Request).ToArray());
    }

    private Gen<FuzzRequest> Request(OpenApiContract.Operation operation) =>
        from caller in Weighted(
            (40, Just("account")), (35, Just("operator")), (15, Just("stranger")), (5, Just("nokey")), (5, Just("badkey")))
        from path in PathOf(operation)
        from query in Query(operation)
        from body in Body(operation)
        from key in Weighted(
            (80, Just<string?>(null)), (15, Gen.Int[0, 1_000_000].Select(n => (string?)$"k-{n}")), (5, Just<string?>(new string('k', 256))))
        select new FuzzRequest(caller, operation, path + query, body.Text, key, body.Mutation, body.Invalid);

    private Gen<string> PathOf(OpenApiContract.Operation operation)
    {
        if (!operation.Path.Contains('{', StringComparison.Ordinal)) return Just(operation.Path);
        var own = operation.Path.StartsWith("/v1/test-clocks", StringComparison.Ordinal) ? pools.Clocks
            : operation.Path.StartsWith("/v1/accounts", StringComparison.Ordinal) ? pools.Accounts : pools.OwnInstances;
        var id = Weighted((70, Pick(own)), (15, Pick(pools.ForeignInstances.Concat(pools.Accounts).ToArray())),
            (15, Pick(Pools.Missing)));
        return id.Select(i => operation.Path.Replace("{id}", Uri.EscapeDataString(i), StringComparison.Ordinal));
    }

    private Gen<string> Query(OpenApiContract.Operation operation)
    {
        var parameters = operation.Parameters.Where(p => (string?)p["in"] == "query").ToArray();
        if (parameters.Length == 0) return Just(string.Empty);
        var each = parameters.Select(p => Weighted(
            (60, Just<string?>(null)),
            (30, QueryValue((string)p["name"]!, p["schema"]!)),
            (10, Pick<string?>("-1", "0", "abc", "99999999999", "2019-13-45", "true", Huge[..2000])))
            .Select(v => v is null ? null : $"{p["name"]}={Uri.EscapeDataString(v)}"));
        return Sequence(each).Select(parts =>
            parts.Where(p => p is not null).ToList() is { Count: > 0 } present ? "?" + string.Join('&', present) : string.Empty);
    }

    private Gen<string?> QueryValue(string name, JsonNode schema) => name switch
    {
        "status" => Pick<string?>("running", "stopped", "released", "Running"),
        "renewalMode" => Pick<string?>("manual", "auto", "noRenew"),
        "accountId" => Pick<string?>(pools.Accounts),
        "instanceId" => Pick<string?>(pools.OwnInstances),
        "product" => Pick<string?>("ecs", "mqtt", "rocketmq"),
        "from" or "to" => Gen.Int[-72, 72].Select(h => (string?)$"$NOW{h:+0;-0}h"),
        "limit" => Gen.Int[1, 5].Select(n => (string?)n.ToString(CultureInfo.InvariantCulture)),
        "days" or "expiresWithinDays" => Gen.Int[1, 60].Select(n => (string?)n.ToString(CultureInfo.InvariantCulture)),
        "step" => Pick<string?>("60", "3600", "86400"),
        _ => (string?)schema["type"] switch
        {
            "integer" => Gen.Int[0, 100].Select(n => (string?)n.ToString(CultureInfo.InvariantCulture)),
            "boolean" => Pick<string?>("true", "false"),
            _ => Pick<string?>("x", "i-missing"),
        },
    };

    /// <summary>A body, what was done to it, and whether the API must refuse it (API.md conventions, issue 11 section 3).</summary>
    private Gen<(string? Text, string Mutation, bool Invalid)> Body(OpenApiContract.Operation operation)
    {
        if (operation.BodySchema is not { } schema)
        {
            return Weighted(
                (90, Just<(string?, string, bool)>((null, "valid", false))),
                (10, Just<(string?, string, bool)>(("{\"x\":1}", "unexpected body", false))));
        }

        var required = (Resolve(schema)["required"]?.AsArray() ?? []).Select(r => (string)r!).ToHashSet(StringComparer.Ordinal);
        var valid = Value(schema, "body", 0).Select(n => n!.AsObject());
        return Weighted(
            (45, valid.Select(o => ((string?)o.ToJsonString(), "valid", false))),
            (40, from o in valid from m in Mutate(o, required) select ((string?)m.Text, m.Mutation, m.Invalid)),
            (15, Pick<(string?, string, bool)>(
                ("", "empty body", true), ("null", "null body", true), ("[]", "array body", true), ("{", "truncated JSON", true),
                ("{\"a\":1,}", "trailing comma", true), ("\"text\"", "string body", true),
                ("{\"x\":" + new string('[', 5000) + new string(']', 5000) + "}", "deep nesting", true))));
    }

    private JsonNode Resolve(JsonNode schema) =>
        schema["$ref"] is JsonValue reference ? Schemas[reference.GetValue<string>().Split('/')[^1]]! : schema;

    /// <summary>
    /// One invalid form of a valid body, and whether it must be refused: unknown members, a required one missing,
    /// a member twice (exactly or in another case), an instant past 2200, an email or name longer than allowed.
    /// Wrong types and odd numbers may happen to be valid (a string for a string), so they need only not be a 5xx.
    /// </summary>
    private static Gen<(string Text, string Mutation, bool Invalid)> Mutate(JsonObject valid, HashSet<string> required)
    {
        var names = valid.Select(p => p.Key).ToArray();
        var unknown = Just(With(valid, "unexpectedMember", 1)).Select(t => (t, "unknown property", true));
        if (names.Length == 0) return unknown;
        var name = Pick(names);
        return Either(
            unknown,
            name.Select(n => (Without(valid, n), $"missing {n}", required.Contains(n))),
            from n in name
            from v in Pick<JsonNode?>(
                JsonValue.Create("text"), JsonValue.Create(12), JsonValue.Create(true), new JsonObject(), new JsonArray(), null)
            select (With(valid, n, v), $"wrong type for {n}", false),
            from n in name
            from v in Pick<JsonNode?>(
                JsonValue.Create(-1), JsonValue.Create(0), JsonValue.Create(2_147_483_648L), JsonValue.Create(1e20), JsonValue.Create(1.5),
                JsonValue.Create(long.MinValue))
            select (With(valid, n, v), $"out-of-range {n}", false),
            name.Select(n => (With(valid, n, Huge), $"huge string for {n}", n is "email" or "name")),
            name.Select(n => (Duplicate(valid, n, n), $"duplicate {n}", true)),
            name.Select(n => (Duplicate(valid, n, char.ToUpperInvariant(n[0]) + n[1..]), $"case-variant duplicate {n}", true)),
            // Refused where an instant belongs (out of bounds) or a non-string does (wrong type); elsewhere it is just a string,
            // and where the valid body holds null (a nullable member) it may be either.
            name.Select(n => (With(valid, n, "9999-12-31T23:59:59Z"), $"far-future instant for {n}",
                valid[n] is not null && (!IsText(valid[n]) || IsInstant(valid[n])))));
    }

    private Gen<JsonNode?> Value(JsonNode schema, string name, int depth)
    {
        if (schema["$ref"] is JsonValue reference) return Value(Schemas[reference.GetValue<string>().Split('/')[^1]]!, name, depth);
        if (schema["oneOf"] is JsonArray oneOf)
        {
            var choices = oneOf.Where(s => (string?)s?["type"] != "null").Select(s => Value(s!, name, depth)).ToArray();
            return oneOf.Any(s => (string?)s?["type"] == "null")
                ? Weighted((1, Just<JsonNode?>(null)), (4, Either(choices)))
                : Either(choices);
        }

        if (schema["enum"] is JsonArray values) return Pick(values.Select(v => v?.DeepClone()).ToArray());
        var types = schema["type"] switch
        {
            JsonArray many => many.Select(t => (string)t!).ToArray(),
            JsonValue one => [one.GetValue<string>()],
            _ => ["object"],
        };
        var type = types.FirstOrDefault(t => t != "null") ?? "null";
        var value = type switch
        {
            "string" when (string?)schema["format"] == "date-time" => Instant(name),
            "string" => Text(name),
            "integer" => Integer(name),
            "number" => Gen.Int[0, 1000].Select(n => (JsonNode?)JsonValue.Create(n)),
            "boolean" => Gen.Bool.Select(b => (JsonNode?)JsonValue.Create(b)),
            "array" when depth < 4 => Value(schema["items"]!, Singular(name), depth + 1).List[1, 3]
                .Select(items => (JsonNode?)new JsonArray([.. items.Select(i => i?.DeepClone())])),
            "object" when depth < 4 => Object(schema, depth),
            _ => Just<JsonNode?>(null),
        };
        return types.Contains("null") ? Weighted((1, Just<JsonNode?>(null)), (4, value)) : value;
    }

    private Gen<JsonNode?> Object(JsonNode schema, int depth)
    {
        var required = (schema["required"]?.AsArray() ?? []).Select(r => (string)r!).ToHashSet(StringComparer.Ordinal);
        var members = (schema["properties"]?.AsObject() ?? []).Select(p =>
        {
            var value = Value(p.Value!, p.Key, depth + 1).Select(v => (p.Key, Value: v, Present: true));
            return required.Contains(p.Key) ? value : Weighted((1, Just((p.Key, Value: (JsonNode?)null, Present: false))), (2, value));
        });
        return Sequence(members).Select(list =>
        {
            var obj = new JsonObject();
            foreach (var (key, v, present) in list) if (present) obj[key] = v?.DeepClone();
            return (JsonNode?)obj;
        });
    }

    private Gen<JsonNode?> Instant(string name) => name switch
    {
        "frozenTime" => Gen.Int[1971, 2199].Select(y => (JsonNode?)JsonValue.Create($"{y}-03-01T02:00:00Z")),
        "expiresAt" => Gen.Int[-24, 24 * 400].Select(h => (JsonNode?)JsonValue.Create($"$NOW{h:+0;-0}h")),
        // An advance may go back (refused) or a few days on: far ahead runs every hourly PAYG charge between.
        _ => Gen.Int[-48, 24 * 4].Select(h => (JsonNode?)JsonValue.Create($"$NOW{h:+0;-0}h")),
    };

    private Gen<JsonNode?> Text(string name) => (name switch
    {
        "product" => Pick("ecs", "ecs", "mqtt", "rocketmq", "oss-package", "event-ticket", "nope"),
        "region" => Pick("cn-hangzhou", "cn-hangzhou", "cn-shanghai", "mars-1"),
        "spec" => Pick(Specs),
        "edition" => Pick("platinum", "standard", "basic", "default", "gold"),
        "instanceId" or "instanceIds" =>
            Weighted((80, Pick(pools.OwnInstances)), (10, Pick(pools.ForeignInstances)), (10, Pick(Pools.Missing))),
        "accountId" => Pick([.. pools.Accounts, "acc-missing"]),
        "testClockId" => Pick([.. pools.Clocks, "clk-missing"]),
        "email" => Pick("a@example.com", "b@example.com", "nope", "@", "a@" + new string('b', 400) + ".com"),
        "name" => Pick("Fuzz", "F", "", "   ", new string('n', 201)),
        "phone" => Pick("+8613800000000", "", "12"),
        "currency" => Pick("CNY", "USD", "cny"),
        "url" => Pick("https://hooks.example.com/tenure", "http://hooks.example.com/x", "ftp://x", "not a url", "https://"),
        "secret" => Pick("0123456789abcdef", "short", new string('s', 201)),
        _ => Gen.String[0, 12],
    }).Select(s => (JsonNode?)JsonValue.Create(s));

    private static Gen<JsonNode?> Integer(string name) => (name switch
    {
        "periodMonths" or "autoRenewMonths" => Weighted((8, Pick(1, 2, 3, 6, 12)), (2, Gen.Int[-2, 130])),
        "amount" => Weighted((8, Gen.Int[1, 100_000]), (2, Gen.Int[-10, 0])),
        "dayOfMonth" => Gen.Int[0, 32],
        "thresholdPercent" => Gen.Int[-5, 120],
        "sizeGb" => Gen.Int[0, 2000],
        "tps" or "subscriptions" or "connections" => Gen.Int[0, 100_000],
        _ => Gen.Int[0, 100],
    }).Select(n => (JsonNode?)JsonValue.Create(n));

    private static bool IsText(JsonNode? value) => value is JsonValue v && v.TryGetValue<string>(out _);

    /// <summary>An instant as generated: <c>$NOW±h</c> or an ISO-8601 UTC instant.</summary>
    private static bool IsInstant(JsonNode? value) =>
        value is JsonValue v && v.TryGetValue<string>(out var text)
        && (text.StartsWith("$NOW", StringComparison.Ordinal) || text.EndsWith(":00Z", StringComparison.Ordinal));

    private static string Singular(string name) => name.EndsWith("Ids", StringComparison.Ordinal) ? name[..^1] : name;

    private static string With(JsonObject valid, string name, JsonNode? value)
    {
        var copy = valid.DeepClone().AsObject();
        copy[name] = value?.DeepClone();
        return copy.ToJsonString();
    }

    private static string Without(JsonObject valid, string name)
    {
        var copy = valid.DeepClone().AsObject();
        copy.Remove(name);
        return copy.ToJsonString();
    }

    /// <summary>The body with <paramref name="as"/> written again after it (JsonObject cannot hold two members of one name).</summary>
    private static string Duplicate(JsonObject valid, string name, string @as)
    {
        var text = valid.ToJsonString();
        return text[..^1] + $",\"{@as}\":{valid[name]?.ToJsonString() ?? "null"}}}";
    }

    private static Gen<T> Just<T>(T value) => Gen.Int[0, 0].Select(_ => value);

    private static Gen<T> Pick<T>(params T[] values) => Gen.Int[0, values.Length - 1].Select(i => values[i]);

    private static Gen<T> Either<T>(params Gen<T>[] gens) => from i in Gen.Int[0, gens.Length - 1] from value in gens[i] select value;

    private static Gen<T> Weighted<T>(params (int Weight, Gen<T> Gen)[] choices)
    {
        var total = choices.Sum(c => c.Weight);
        return from n in Gen.Int[0, total - 1] from value in Chosen(choices, n) select value;
    }

    private static Gen<T> Chosen<T>((int Weight, Gen<T> Gen)[] choices, int n)
    {
        foreach (var (weight, gen) in choices)
        {
            if (n < weight) return gen;
            n -= weight;
        }

        throw new InvalidOperationException("The weights do not add up.");
    }

    private static Gen<List<T>> Sequence<T>(IEnumerable<Gen<T>> gens) =>
        gens.Aggregate(Just(new List<T>()), (acc, next) => from list in acc from item in next select new List<T>(list) { item });
}
