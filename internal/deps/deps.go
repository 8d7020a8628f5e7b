package deps
import (
 _ "github.com/labstack/echo/v4"
 _ "gorm.io/gorm"
 _ "gorm.io/driver/postgres"
 _ "github.com/glebarez/sqlite"
 _ "github.com/casbin/casbin/v2"
 _ "github.com/casbin/gorm-adapter/v3"
 _ "github.com/nicksnyder/go-i18n/v2/i18n"
 _ "gonum.org/v1/gonum/mat"
 _ "github.com/pressly/goose/v3"
 _ "golang.org/x/crypto/argon2"
 _ "github.com/kljensen/snowball"
 _ "gopkg.in/yaml.v3"
 _ "golang.org/x/text/language"
 _ "github.com/chromedp/chromedp"
)
