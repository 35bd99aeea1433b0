module lucid

go 1.26
