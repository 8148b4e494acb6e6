module github.com/scrapstore/scrapstore

go 1.26.8
