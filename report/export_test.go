package report

// AgeTextForTest is ageText, for its table test.
var AgeTextForTest = ageText
