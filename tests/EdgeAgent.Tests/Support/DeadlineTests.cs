using CsCheck;

namespace EdgeAgent.Tests.Support;

/// <summary>The hang guard of the property tests (tests/Support/Deadline.cs) fails on a hang and only then.</summary>
public sealed class DeadlineTests
{
    [Fact]
    public void A_property_that_never_finishes_fails_naming_the_property_the_deadline_and_the_input()
    {
        var release = new ManualResetEventSlim();
        try
        {
            var e = Assert.Throws<TimeoutException>(() =>
                Gen.Const("the input that hangs").SampleWithDeadline(_ => release.Wait(), iter: 1, threads: 1,
                    deadline: TimeSpan.FromMilliseconds(300), property: "never-finishes"));
            Assert.StartsWith("property never-finishes exceeded its deadline of 0.3 s (input still running: ", e.Message);
            Assert.Contains("the input that hangs", e.Message);
        }
        finally
        {
            release.Set(); // lets the stuck worker thread end
        }
    }

    [Fact]
    public void A_property_that_fails_reports_the_CsCheck_failure_with_seed_and_input_not_a_timeout()
    {
        var e = Assert.Throws<CsCheckException>(() =>
            Gen.Const("the input that fails").SampleWithDeadline(_ => Assert.Fail("the assertion that fails"), iter: 10));
        Assert.Contains("CsCheck_Seed=", e.Message);
        Assert.Contains("the input that fails", e.ToString());
        Assert.Contains("the assertion that fails", e.ToString());
    }

    [Fact]
    public void A_property_that_finishes_in_time_runs_every_iteration_and_returns()
    {
        var count = 0;
        Gen.Int.SampleWithDeadline(_ => Interlocked.Increment(ref count), iter: 1000);
        Assert.Equal(1000, count);
    }
}
