using System.Collections.Immutable;
using NodaTime;
using Tenure.Domain.Accounts;
using Tenure.Domain.Instances;
using Tenure.Domain.Renewals;

namespace Tenure.Domain.Lifecycle;

/// <summary>One event that ran in a simulation, with what it did.</summary>
public sealed record Step(DueEvent Due, InstanceId InstanceId, Change Change);

/// <summary>
/// Runs one account's instances forward in memory, earliest event first (ties to the earliest expiry, R4.8, then the ID), as
/// the engine does with a database: for the <c>timeline</c> command and for tests of whole lifecycles.
/// </summary>
public static class Simulation
{
    public static (ImmutableArray<Step> Steps, ImmutableArray<Instance> Instances, Account Account) Run(
        Rules rules, IReadOnlyList<Instance> instances, Account account, Instant until, int maxSteps = 10_000)
    {
        var current = instances.ToList();
        var steps = ImmutableArray.CreateBuilder<Step>();
        while (steps.Count < maxSteps)
        {
            var next = current
                .Select((instance, index) => (instance, index, due: Schedule.Next(rules, instance, account)))
                .Where(x => x.due is { } d && d.At <= until)
                .OrderBy(x => x.due!.Value)
                .ThenBy(x => x.instance.ExpiresAt ?? Instant.MinValue)
                .ThenBy(x => x.instance.Id.Value, StringComparer.Ordinal)
                .FirstOrDefault();
            if (next.due is not { } due) break;
            var book = Lifecycle.NeedsAccountInstances(next.instance, due) ? ForecastBook.Of(rules, account, current) : null;
            var change = Lifecycle.Run(rules, next.instance, account, due, due.At, book);
            current[next.index] = change.Instance;
            account = change.Account;
            steps.Add(new Step(due, next.instance.Id, change));
        }

        return (steps.ToImmutable(), [.. current], account);
    }
}
