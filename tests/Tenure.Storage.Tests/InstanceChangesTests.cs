namespace Tenure.Storage.Tests;

/// <summary>
/// Writing only what changed (issue 16) must know every column a decision can change: a column missing from the
/// update list is a change silently lost (a payment's pending state, once). Every instance column is either fixed at
/// purchase or in the list.
/// </summary>
public sealed class InstanceChangesTests
{
    [Fact]
    public void Every_instance_column_is_fixed_at_purchase_or_written_when_it_changes()
    {
        var columns = Session.InstanceColumns.Split(',', StringSplitOptions.TrimEntries);

        Assert.Equal(columns.Order(StringComparer.Ordinal),
            InstanceChanges.Fixed.Concat(InstanceChanges.MutableNames).Order(StringComparer.Ordinal));
    }
}
